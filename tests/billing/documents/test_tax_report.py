"""The tax report nets credit notes and voids, and ties to what the ledger moved on tax payable."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from billing.models import CreditNoteReason
from billing.services.credit_notes import issue_credit_note
from billing.services.issuing import void_invoice
from billing.tax_report import tax_report, tax_report_csv
from ledger import chart
from ledger.models import JournalLine
from tests.billing.documents.conftest import ON, gb_account, issue

pytestmark = pytest.mark.django_db

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def _ledger_tax_payable(start, end) -> D:
    sums = JournalLine.objects.filter(
        gl_account__code=chart.TAX_PAYABLE, entry__document_date__range=(start, end)
    ).aggregate(credit=Sum("credit"), debit=Sum("debit"))
    return (sums["credit"] or D(0)) - (sums["debit"] or D(0))


@pytest.fixture
def november(finance, vat, sales_rep):
    account = gb_account(owner=sales_rep)
    october = issue(finance, account, on=date(2026, 10, 5))  # 20.00 + 2.50 tax, in October
    kept = issue(finance, account)                           # 22.50 tax
    voided = issue(finance, account, charges=(("Setup", "200.00", ""),))  # 40.00 tax
    void_invoice(invoice=voided, by=finance, reason="Duplicate", on=ON)
    seats = kept.lines.get(position=1)
    issue_credit_note(invoice=kept, by=finance, reason=CreditNoteReason.SERVICE_ISSUE,
                      line_amounts={seats.pk: D("10.00")}, on=ON)  # -2.00 tax at 20%
    issue_credit_note(invoice=october, by=finance, reason=CreditNoteReason.GOODWILL,
                      whole=True, on=ON)  # -22.50 tax, in November
    return kept


def test_the_report_nets_credit_notes_and_voids_per_rate(november):
    report = tax_report(start=NOVEMBER[0], end=NOVEMBER[1])

    rows = {(r.name, r.percent): r for r in report.rows}
    standard, reduced = rows[("VAT", D("20"))], rows[("VAT", D("5"))]
    assert (standard.authority, standard.currency) == ("GB", "USD")
    assert (standard.invoiced_base, standard.invoiced_tax) == (D("300.00"), D("60.00"))
    assert (standard.voided_base, standard.voided_tax) == (D("200.00"), D("40.00"))
    assert (standard.credited_base, standard.credited_tax) == (D("110.00"), D("22.00"))
    assert (standard.net_base, standard.net_tax) == (D("-10.00"), D("-2.00"))
    assert (reduced.net_base, reduced.net_tax) == (D("0.00"), D("0.00"))
    assert report.totals() == {"USD": (D("-10.00"), D("-2.00"))}


def test_the_net_tax_of_each_period_ties_to_the_ledgers_tax_payable(november):
    for start, end in (NOVEMBER, (date(2026, 10, 1), date(2026, 10, 31))):
        report = tax_report(start=start, end=end)
        net_tax = sum((tax for _, tax in report.totals().values()), D(0))
        assert net_tax == _ledger_tax_payable(start, end)
    assert tax_report(start=date(2026, 10, 1), end=date(2026, 10, 31)).totals() == {
        "USD": (D("150.00"), D("22.50"))}


def test_the_csv_export_has_one_line_per_rate(november):
    text = tax_report_csv(tax_report(start=NOVEMBER[0], end=NOVEMBER[1]))
    lines = text.strip().splitlines()
    assert lines[0].startswith("currency,country,region,tax,percent,invoiced_base")
    assert lines[1:] == ["USD,GB,,VAT,5,50.00,2.50,0.00,0.00,50.00,2.50,0.00,0.00",
                         "USD,GB,,VAT,20,300.00,60.00,200.00,40.00,110.00,22.00,-10.00,-2.00"]


def test_the_report_reads_in_constant_queries(november, django_assert_num_queries):
    with django_assert_num_queries(3):
        tax_report(start=NOVEMBER[0], end=NOVEMBER[1])
