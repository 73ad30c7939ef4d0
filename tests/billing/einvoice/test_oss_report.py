"""The OSS report of a quarter: consumers' VAT per member state of consumption and rate, net of
credit notes and voids; with the domestic rows it ties to the ledger's tax payable."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.urls import reverse

from billing.oss_report import oss_report, quarter_dates
from billing.services.credit_notes import issue_credit_note
from billing.services.issuing import void_invoice
from ledger import chart
from ledger.models import JournalLine
from tests.billing.einvoice.conftest import ON, account, issue
from tests.catalog.factories import TaxRateFactory
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Q4 = quarter_dates(2026, 4)


def test_quarters_run_from_their_first_to_their_last_day():
    assert quarter_dates(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (date(2026, 10, 1), date(2026, 12, 31)) == Q4


@pytest.fixture
def quarter(finance, eu_vat, settings):
    settings.FUNCTIONAL_CURRENCY = "EUR"  # the ledger in euro, so the tie is exact
    TaxRateFactory(name="VAT", country="IT", percent=D(22))
    camille, giulia = account("FR", "Camille Martin"), account("IT", "Giulia Rossi")
    issue(finance, camille, [("Personal plan", "1", "9.99", "saas")])           # FR 2.00
    credited = issue(finance, camille, [("Team plan", "1", "100.00", "saas")])  # FR 20.00
    issue_credit_note(invoice=credited, by=finance, reason="goodwill",
                      line_amounts={credited.lines.get().pk: D("50.00")}, on=ON)  # FR -10.00
    voided = issue(finance, camille, [("Team plan", "1", "50.00", "saas")])     # FR 10.00
    void_invoice(invoice=voided, by=finance, reason="Duplicate", on=ON)        # FR -10.00
    issue(finance, giulia, [("Team plan", "2", "100.00", "saas")])              # IT 44.00
    issue(finance, camille, [("Consulting day", "1", "800.00", "consulting")])  # DE 152.00
    issue(finance, account("DE", "Max Muster"), [("Personal plan", "1", "100.00", "saas")])
    issue(finance, account("BE", "Brussels Analytics NV", vat_id="BE0477472701"),
          [("Analytics subscription", "25", "39.00", "saas")])                  # reverse charge


def test_the_oss_report_lists_consumers_vat_per_member_state_net_of_credits_and_voids(quarter):
    report = oss_report(year=2026, quarter=4)

    assert [(r.country, r.percent, r.net_base, r.net_tax) for r in report.rows] == [
        ("FR", D(20), D("59.99"), D("12.00")), ("IT", D(22), D("200.00"), D("44.00"))]
    assert report.totals() == {"EUR": (D("259.99"), D("56.00"))}
    assert [(r.country, r.net_tax) for r in report.domestic] == [("DE", D("171.00"))]
    assert report.currencies_to_convert == []


def test_the_oss_and_domestic_vat_tie_to_the_ledgers_tax_payable(quarter):
    report = oss_report(year=2026, quarter=4)
    sums = JournalLine.objects.filter(gl_account__code=chart.TAX_PAYABLE,
                                      entry__document_date__range=Q4).aggregate(
        credit=Sum("credit"), debit=Sum("debit"))

    declared = sum(r.net_tax for r in report.rows + report.domestic)

    assert declared == sums["credit"] - sums["debit"] == D("227.00")


def test_the_oss_page_shows_the_quarter(client, accountant, quarter):
    client.login(username=accountant.username, password=PASSWORD)

    page = client.get(reverse("billing_documents:oss_report"), {"year": 2026, "quarter": 4})

    assert page.status_code == 200
    assert "FR" in page.content.decode() and "44.00" in page.content.decode()
