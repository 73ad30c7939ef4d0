"""The rounding policy an invoice keeps (issue 17): copied from its prices' snapshots (a manual
invoice's from its currency's standard price book), read from the invoice when it is retaxed and
by its credit notes, never from the TAX_ROUNDING setting at the moment money moves; and cash
rounding, the total brought to the book's cash step with the difference on its own line and
account (ledger.chart.CASH_ROUNDING).

Worked examples:
- Odoo, "Cash rounding" (odoo.com/documentation/17.0/applications/finance/accounting/
  customer_invoices/cash_rounding.html): the total rounded "to the nearest five cents" with the
  "Add a rounding line" strategy, the difference posted to its own profit or loss account.
- ERPNext, "Rounded Total" (docs.erpnext.com/docs/user/manual/en/round-off): the grand total is
  rounded and the "Rounding Adjustment" is booked to the company's Round Off account.
- Swiss francs: the smallest coin is 5 centimes, so CHF totals round to 0.05 (CHF 46.87 → 46.85).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.urls import reverse

from billing.models import Invoice
from billing.services.credit_notes import issue_credit_note
from billing.services.drafts import add_manual_charge, create_manual_invoice, retax
from billing.services.issuing import issue_invoice
from billing.services.runs import create_invoice_run
from catalog.models import PriceBook
from catalog.pricing import PriceSpec
from catalog.rounding import RoundingPolicy
from ledger import chart
from ledger.models import JournalLine
from tests.billing.factories import active_contract, product
from tests.catalog.factories import TaxRateFactory
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 12, 1)
SWISS = RoundingPolicy("half_even", "per_document", D("0.05"))


@pytest.fixture(autouse=True)
def francs(settings):
    """A ledger in francs (so the entries show the document's amounts) and Swiss VAT at
    8.1 % (since 1 January 2024)."""
    settings.FUNCTIONAL_CURRENCY = "CHF"
    settings.TAX_ROUNDING = "line"
    TaxRateFactory(name="MWST", country="CH", percent=D("8.1"))


def swiss_snapshot(amount: str, period: str) -> dict:
    spec = PriceSpec(model="per_unit", currency="CHF", billing_period=period,
                     unit_amount=D(amount), rounding="half_even")
    return {**spec.to_dict(), "source": {"prices_include_tax": False,
                                         "rounding_policy": SWISS.to_dict()}}


def cash_rounding_balance() -> D:
    sums = JournalLine.objects.filter(gl_account__code=chart.CASH_ROUNDING).aggregate(
        debit=Sum("debit"), credit=Sum("credit"))
    return (sums["debit"] or D(0)) - (sums["credit"] or D(0))


def manual_invoice(finance, charges, *, currency="CHF", country="CH"):
    account = AccountFactory(country=country, currency=currency)
    invoice = create_manual_invoice(account=account, by=finance)
    for description, amount in charges:
        add_manual_charge(invoice=invoice, by=finance, description=description, quantity=D(1),
                          unit_price=D(amount), on=AS_OF)
    invoice.refresh_from_db()
    return invoice


def test_a_run_keeps_its_price_books_policy_and_rounds_the_total_to_five_centimes(
        django_capture_on_commit_callbacks, client, finance, settings):
    # given a Swiss contract priced from a book that rounds half-even, taxes per document and
    # brings totals to CHF 0.05
    account = AccountFactory(bill_day=1, currency="CHF", country="CH")
    active_contract(account=account, start_on=AS_OF, end_on=date(2027, 11, 30), currency="CHF",
                    lines=[{"amount": "33.33", "snapshot": swiss_snapshot("33.33", "monthly")},
                           {"product": product("SETUP", kind="service"), "amount": "10.03",
                            "billing_period": "one_time",
                            "snapshot": swiss_snapshot("10.03", "one_time")}])
    # when the run bills December
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=AS_OF)
    invoice = Invoice.objects.get(account=account)
    # then 43.36 + VAT 3.51 (8.1 % of 43.36 = 3.512) = 46.87, rounded to 46.85: −0.02 apart
    assert (invoice.subtotal, invoice.tax_total, invoice.cash_rounding, invoice.total,
            invoice.amount_due) == (D("43.36"), D("3.51"), D("-0.02"), D("46.85"), D("46.85"))
    assert (invoice.rounding_mode, invoice.tax_rounding, invoice.cash_rounding_step) == (
        "half_even", "per_document", D("0.05"))
    # and a setting changed later does not move it: retaxing reads the invoice's policy
    settings.TAX_ROUNDING = "invoice"
    retax(invoice, on=AS_OF)
    invoice.refresh_from_db()
    assert (invoice.tax_rounding, invoice.total) == ("per_document", D("46.85"))
    # and its page says how it was rounded
    client.force_login(finance)
    page = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "Half even (to the even digit) · tax per document · totals to 0.05" in page
    assert "Cash rounding" in page
    # and the API gives the same figures and policy
    body = client.get(reverse("api:invoice-detail", args=[invoice.pk])).json()
    assert (D(body["cash_rounding"]), D(body["total"]), body["rounding_mode"],
            body["tax_rounding"], D(body["cash_rounding_step"])) == (
        D("-0.02"), D("46.85"), "half_even", "per_document", D("0.05"))


def test_the_cash_rounding_is_posted_on_its_own_account_and_a_whole_credit_takes_it_back(
        finance):
    # given the standard franc book's cash step of 0.05
    PriceBook.objects.create(name="Swiss francs", currency="CHF", effective_from=date(2026, 1, 1),
                             cash_rounding_step=D("0.05"))
    invoice = manual_invoice(finance, [("Setup", "10.03")])
    invoice = issue_invoice(invoice=invoice, by=finance, on=AS_OF)
    # VAT 8.1 % of 10.03 = 0.81: 10.84 → 10.85, +0.01 on the cash-rounding account
    assert (invoice.tax_total, invoice.cash_rounding, invoice.total) == (
        D("0.81"), D("0.01"), D("10.85"))
    rounding = invoice.journal_entry.lines.get(gl_account__code=chart.CASH_ROUNDING)
    assert (rounding.debit, rounding.credit) == (D(0), D("0.01"))
    receivable = invoice.journal_entry.lines.get(gl_account__code=chart.ACCOUNTS_RECEIVABLE)
    assert receivable.debit == D("10.85")

    # when the whole invoice is credited
    note = issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True,
                             on=AS_OF)

    # then the note takes back the rounding too: nothing is left due or on 7200
    invoice.refresh_from_db()
    assert (note.total, note.cash_rounding, invoice.amount_due) == (D("10.85"), D("0.01"), D(0))
    assert cash_rounding_balance() == D(0)


def test_credit_notes_in_parts_take_back_exactly_the_invoices_rounding(finance):
    """Each note's total is on the step; together they credit the rounded total (46.85 here):
    the first note credits 20.01 gross → 20.00 (−0.01); the rest, 26.86 gross, makes 46.87
    credited → 46.85 (−0.02) so far, −0.01 for this note: 26.85."""
    PriceBook.objects.create(name="Swiss francs", currency="CHF", effective_from=date(2026, 1, 1),
                             cash_rounding_step=D("0.05"))
    invoice = issue_invoice(invoice=manual_invoice(finance, [("Seats", "33.33"),
                                                             ("Setup", "10.03")]),
                            by=finance, on=AS_OF)
    assert (invoice.tax_total, invoice.total) == (D("3.51"), D("46.85"))

    first = issue_credit_note(invoice=invoice, by=finance, reason="goodwill",
                              amount=D("20.01"), on=AS_OF)
    rest = issue_credit_note(invoice=invoice, by=finance, reason="goodwill", whole=True,
                             on=AS_OF)

    invoice.refresh_from_db()
    assert [(n.total, n.cash_rounding) for n in (first, rest)] == [
        (D("20.00"), D("-0.01")), (D("26.85"), D("-0.01"))]
    assert invoice.amount_due == D(0)
    assert cash_rounding_balance() == D(0)


def test_without_a_cash_step_nothing_is_rounded(finance):
    invoice = manual_invoice(finance, [("Setup", "10.03")], currency="USD", country="US")

    assert (invoice.cash_rounding, invoice.total, invoice.cash_rounding_step) == (
        D(0), D("10.03"), None)
    assert invoice.tax_rounding == "per_line"  # the company default, copied


def test_charges_from_books_that_round_differently_are_not_billed_together(
        django_capture_on_commit_callbacks, finance):
    """One invoice keeps one policy: an account whose franc charges come from two books with
    different rounding is a run failure that says why (the other accounts bill)."""
    mixed = AccountFactory(bill_day=1, currency="CHF", country="CH")
    for snapshot in (swiss_snapshot("33.33", "monthly"), None):
        active_contract(account=mixed, start_on=AS_OF, end_on=date(2027, 11, 30),
                        currency="CHF", lines=[{"amount": "20.00", "snapshot": snapshot}])
    fine = AccountFactory(bill_day=1, currency="CHF", country="CH")
    active_contract(account=fine, start_on=AS_OF, end_on=date(2027, 11, 30), currency="CHF",
                    lines=[{"amount": "20.00"}])

    with django_capture_on_commit_callbacks(execute=True):
        run = create_invoice_run(by=finance, as_of=AS_OF)

    assert not Invoice.objects.filter(account=mixed).exists()
    assert Invoice.objects.filter(account=fine).count() == 1
    assert run.failures.get(account=mixed).reason == (
        "Its CHF charges come from price books that round differently (half even, tax per "
        "document, cash step 0.05; half up): one invoice keeps one rounding policy, so make "
        "the books' rounding the same.")
