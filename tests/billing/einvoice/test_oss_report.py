"""The OSS report of a quarter: consumers' VAT per member state of consumption and rate, net of
credit notes and voids; with the domestic rows it ties to the ledger's tax payable. In euro at the
ECB rate of the quarter's last day (Art. 369h(2)-(3) of Directive 2006/112/EC, and the
Commission's Guide to the VAT One Stop Shop), with the year's standing against the EUR 10,000
threshold of Art. 59c."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from billing.oss_report import EuroRate, euro_rate, oss_report, quarter_dates
from billing.services.credit_notes import issue_credit_note
from billing.services.drafts import Charge, NewInvoice, create_invoices
from billing.services.issuing import void_invoice
from billing.services.runs import preview_invoice_run
from catalog.models import Product, TaxCategory
from catalog.tax import DistanceSales
from ledger import chart
from ledger.fx import MissingRate, RateBook
from ledger.models import ExchangeRate, JournalLine
from tests.billing.einvoice.conftest import ON, account, issue
from tests.billing.factories import active_contract
from tests.catalog.factories import TaxRateFactory
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Q4 = quarter_dates(2026, 4)


def test_quarters_run_from_their_first_to_their_last_day():
    assert quarter_dates(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (date(2026, 10, 1), date(2026, 12, 31)) == Q4


def past_the_threshold(finance):
    """EUR 10,000.00 of B2C digital services to an Italian consumer in March: still within the
    EUR 10,000 of Art. 59c (taxed in Germany), so the next such sale passes it and goes
    through the OSS (catalog.tax.vat_treatment)."""
    first = issue(finance, account("IT", "Marco Bianchi"),
                  [("Annual family plan", "1", "10000.00", "saas")], on=date(2026, 3, 2))
    assert first.lines.get().vat_article == "Art. 59c"


@pytest.fixture
def quarter(finance, eu_vat, settings):
    settings.FUNCTIONAL_CURRENCY = "EUR"  # the ledger in euro, so the tie is exact
    TaxRateFactory(name="VAT", country="IT", percent=D(22))
    past_the_threshold(finance)
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
    assert report.euro_by_state() == {"FR": (D("59.99"), D("12.00")),
                                      "IT": (D("200.00"), D("44.00"))}


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


# --- The return in euro (Art. 369h(2)-(3)) and the EUR 10,000 threshold (Art. 59c) -----------

def euro_book(functional, *rows):
    return RateBook.from_rows(functional, [(c, date.fromisoformat(d), D(r)) for c, d, r in rows])


def test_the_filing_rate_is_the_one_of_the_quarters_last_day():
    """Art. 369h(2): the rate applying on the last date of the tax period, as the ECB published
    it for that day."""
    book = euro_book("EUR", ("CHF", "2026-12-30", "1.07"), ("CHF", "2026-12-31", "1.05"),
                     ("CHF", "2027-01-04", "1.02"))

    assert euro_rate(book, "CHF", Q4[1]) == EuroRate("CHF", D("1.05"), date(2026, 12, 31))


def test_without_a_publication_that_day_the_next_days_rate_is_used():
    """Art. 369h(3): "or, if there is no publication on that day, on the next day of
    publication": 30 September 2028 is a Saturday, so Monday 2 October's rate."""
    book = euro_book("EUR", ("GBP", "2028-09-29", "1.19"), ("GBP", "2028-10-02", "1.21"))

    assert euro_rate(book, "GBP", date(2028, 9, 30)) == EuroRate("GBP", D("1.21"),
                                                                 date(2028, 10, 2))


def test_a_ledger_in_dollars_crosses_the_rate_through_the_dollar():
    # given USD books: 1 CHF = 1.155 USD and 1 EUR = 1.10 USD on the last day
    book = euro_book("USD", ("CHF", "2026-12-31", "1.155"), ("EUR", "2026-12-31", "1.10"))

    rate = euro_rate(book, "CHF", Q4[1])

    # then 1 CHF = 1.155 / 1.10 = 1.05 EUR; and a dollar is 1 / 1.10 EUR
    assert rate == EuroRate("CHF", D("1.05"), date(2026, 12, 31))
    assert euro_rate(book, "USD", Q4[1]).rate == D(1) / D("1.10")


def test_a_currency_without_any_rate_is_named_for_import():
    with pytest.raises(MissingRate, match="No exchange rate for JPY"):
        euro_rate(euro_book("EUR"), "JPY", Q4[1])


def test_francs_to_a_french_consumer_are_declared_in_euro_at_the_quarters_rate(finance, eu_vat,
                                                                             settings):
    # given a ledger in euro, CHF 1.15 from 1 November and the ECB's 1.05 of 31 December
    settings.FUNCTIONAL_CURRENCY = "EUR"
    ExchangeRate.objects.create(currency="CHF", valid_on=date(2026, 12, 31), rate=D("1.05"))
    TaxRateFactory(name="VAT", country="IT", percent=D(22))
    past_the_threshold(finance)
    camille = account("FR", "Camille Martin", currency="CHF")
    issue(finance, camille, [("Personal plan", "1", "100.00", "saas")], currency="CHF")
    issue(finance, account("IT", "Giulia Rossi"), [("Team plan", "1", "50.00", "saas")])

    report = oss_report(year=2026, quarter=4)

    # then CHF 100.00 and VAT 20.00 are EUR 105.00 and 21.00 (not at November's 1.15)
    assert [(e.row.country, e.row.currency, e.rate.rate, e.base, e.tax)
            for e in report.euro_rows] == [("FR", "CHF", D("1.05"), D("105.00"), D("21.00")),
                                           ("IT", "EUR", D(1), D("50.00"), D("11.00"))]
    assert report.euro_by_state() == {"FR": (D("105.00"), D("21.00")),
                                      "IT": (D("50.00"), D("11.00"))}
    assert report.euro_total == (D("155.00"), D("32.00"))
    assert report.missing_rates == []
    # and the year's B2C distance sales stand at EUR 10,155.00 (March's 10,000.00 taxed at
    # home while within the threshold count too), past the Art. 59c threshold
    assert report.distance_sales == DistanceSales(D("10155.00"), D(0))
    assert not report.distance_sales.below_threshold


def test_the_oss_page_shows_the_return_in_euro_and_the_threshold(client, accountant, quarter):
    client.login(username=accountant.username, password=PASSWORD)

    page = client.get(reverse("billing_documents:oss_report"),
                      {"year": 2026, "quarter": 4}).content.decode()

    assert "The return in euro" in page and "€56.00" in page
    assert "€10,259.99 in 2026" in page and "past the EUR 10,000 threshold" in page


def test_a_distance_sale_without_a_euro_rate_is_refused_with_the_rate_to_import(finance,
                                                                                eu_vat):
    """Art. 59c counts in euro: a B2C sale in a currency the ledger has no rate for cannot be
    placed against the EUR 10,000, so it is refused by name, in a manual invoice and in a
    run's preview alike (never a 500)."""
    consumer = account("FR", "Camille Martin", currency="GBP")

    with pytest.raises(ValidationError) as caught:
        create_invoices(by=finance, on=ON, invoices=[NewInvoice(consumer, [
            Charge("Personal plan", D(1), D("9.99"), "saas")])])
    assert "cannot be taxed (EU distance sales (Art. 59c) are counted in euro: No exchange " \
           "rate for GBP" in caught.value.messages[0]

    active_contract(account=consumer, start_on=date(2026, 11, 1), end_on=date(2027, 10, 31),
                    currency="GBP", lines=[{"product": Product.objects.create(
                        sku="PLAN", name="Plan", kind="subscription",
                        tax_category=TaxCategory.objects.get(code="saas"))}])
    preview = preview_invoice_run(by=finance, as_of=date(2026, 11, 1))
    assert preview.failures[consumer.pk].startswith(
        "Tax: EU distance sales (Art. 59c) are counted in euro: No exchange rate for GBP")
