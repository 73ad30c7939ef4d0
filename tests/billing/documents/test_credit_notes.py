"""Credit notes: whole, per line or an amount; the reversing entry; the amount due; the rest owed
back to the customer; their own gapless series."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import CreditNote, CreditNoteReason, InvoiceState
from billing.services import apply_payment
from billing.services.credit_notes import issue_credit_note
from core.transitions import history_for
from ledger.models import JournalEntry
from tests.billing.documents.conftest import ON

pytestmark = pytest.mark.django_db


def _lines(entry_id):
    entry = JournalEntry.objects.get(pk=entry_id)
    rows = [(line.gl_account.code, line.debit, line.credit, line.description)
            for line in entry.lines.select_related("gl_account").order_by("pk")]
    assert sum(r[1] for r in rows) == sum(r[2] for r in rows)  # balanced
    return rows


def test_whole_credit_reverses_the_invoice_and_settles_it(finance, issued):
    assert issued.total == D("172.50")

    note = issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.BILLING_ERROR,
                             whole=True, on=ON)

    assert (note.number, note.state) == (f"CN-{ON.year}-000001", "issued")
    assert (note.subtotal, note.tax_total, note.total) == (D("150.00"), D("22.50"), D("172.50"))
    issued.refresh_from_db()
    assert (issued.state, issued.amount_due, issued.amount_credited) == (
        InvoiceState.PAID, D("0.00"), D("172.50"))
    assert sorted((t.percent, t.taxable_amount, t.tax_amount) for t in note.taxes.all()) == [
        (D("5"), D("50.00"), D("2.50")), (D("20"), D("100.00"), D("20.00"))]
    rows = _lines(note.journal_entry_id)
    assert ("1100", D("0"), D("172.50"), note.number) in rows
    assert {(code, debit) for code, debit, _, _ in rows if debit} == {
        ("2300", D("100.00")), ("2300", D("50.00")), ("2200", D("20.00")), ("2200", D("2.50"))}
    assert [h.target for h in history_for(note)] == ["issued"]


def test_partial_credit_by_line_takes_the_lines_tax_and_reduces_the_amount_due(finance, issued):
    seats, support = issued.lines.order_by("position")

    note = issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.SERVICE_ISSUE,
                             line_amounts={seats.pk: D("30.00")}, on=ON)

    assert (note.subtotal, note.tax_total, note.total) == (D("30.00"), D("6.00"), D("36.00"))
    issued.refresh_from_db()
    assert (issued.state, issued.amount_due) == (InvoiceState.ISSUED, D("136.50"))
    # crediting the rest of the line in parts never credits more tax than the line carried
    issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.SERVICE_ISSUE,
                      line_amounts={seats.pk: D("33.33")}, on=ON)
    last = issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.SERVICE_ISSUE,
                             line_amounts={seats.pk: D("36.67")}, on=ON)
    credited_tax = sum(n.tax_total for n in CreditNote.objects.filter(invoice=issued))
    assert credited_tax == D("20.00") and last.number == f"CN-{ON.year}-000003"
    with pytest.raises(ValidationError, match="more than the 0.00 left"):
        issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.SERVICE_ISSUE,
                          line_amounts={seats.pk: D("0.01")}, on=ON)


def test_credit_of_an_amount_is_spread_over_the_lines_exactly(finance, issued):
    note = issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.GOODWILL,
                             amount=D("17.25"), on=ON)
    assert note.total == D("17.25")
    assert note.subtotal + note.tax_total == D("17.25")
    assert sum(line.amount + line.tax_amount for line in note.lines.all()) == D("17.25")
    issued.refresh_from_db()
    assert issued.amount_due == D("155.25")
    with pytest.raises(ValidationError, match="more than the 155.25 left"):
        issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.GOODWILL,
                          amount=D("155.26"), on=ON)


def test_a_credit_beyond_the_amount_due_is_owed_back_as_customer_credit(finance, issued):
    apply_payment(invoice=issued, amount=D("100.00"), by=finance, on=ON)

    note = issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.DUPLICATE,
                             whole=True, on=ON)

    issued.refresh_from_db()
    assert (issued.state, issued.amount_due, issued.amount_credited) == (
        InvoiceState.PAID, D("0.00"), D("72.50"))
    rows = _lines(note.journal_entry_id)
    credits = {code: credit for code, _, credit, _ in rows if credit}
    assert credits == {"1100": D("72.50"), "2100": D("100.00")}


def test_a_paid_invoice_is_credited_wholly_to_customer_credits(finance, issued):
    apply_payment(invoice=issued, amount=D("172.50"), by=finance, on=ON)
    note = issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.ORDER_CHANGE,
                             amount=D("10.00"), on=ON)
    credits = {code: credit for code, _, credit, _ in _lines(note.journal_entry_id) if credit}
    assert credits == {"2100": D("10.00")}
    issued.refresh_from_db()
    assert (issued.state, issued.amount_paid) == (InvoiceState.PAID, D("172.50"))


def test_bad_requests_are_refused_by_field(finance, issued):
    with pytest.raises(ValidationError) as caught:
        issue_credit_note(invoice=issued, by=finance, reason="", whole=True, on=ON)
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.OTHER,
                          whole=True, on=ON)
    assert "reason_note" in caught.value.message_dict
    with pytest.raises(ValidationError, match="one of them"):
        issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.GOODWILL,
                          whole=True, amount=D("1.00"), on=ON)
    with pytest.raises(ValidationError) as caught:
        issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.GOODWILL,
                          amount=D("1.001"), on=ON)
    assert "amount" in caught.value.message_dict
    assert not CreditNote.objects.exists()


def test_a_void_invoice_cannot_be_credited(finance, issued):
    from billing.services.issuing import void_invoice

    void_invoice(invoice=issued, by=finance, reason="Wrong customer", on=ON)
    with pytest.raises(ValidationError, match="only an issued, partially paid or paid"):
        issue_credit_note(invoice=issued, by=finance, reason=CreditNoteReason.BILLING_ERROR,
                          whole=True, on=ON)


def test_sales_roles_and_accountants_cannot_issue_credit_notes(sales_rep, sales_manager,
                                                               accountant, issued):
    for user in (sales_rep, sales_manager, accountant):
        with pytest.raises(PermissionDenied):
            issue_credit_note(invoice=issued, by=user, reason=CreditNoteReason.GOODWILL,
                              whole=True, on=ON)
    assert not CreditNote.objects.exists()


def test_a_foreign_currency_invoice_is_credited_at_its_booked_rate(finance, vat):
    from datetime import date

    from ledger.models import ExchangeRate
    from tests.billing.documents.conftest import gb_account, issue

    ExchangeRate.objects.create(currency="EUR", valid_on=date(2026, 11, 1), rate=D("1.10"))
    invoice = issue(finance, gb_account(currency="EUR"), charges=(("Seats", "100.00", ""),))
    assert invoice.currency == "EUR"
    ExchangeRate.objects.create(currency="EUR", valid_on=ON, rate=D("1.30"))  # moved since

    note = issue_credit_note(invoice=invoice, by=finance, reason="goodwill", whole=True, on=ON)

    rows = _lines(note.journal_entry_id)
    assert ("1100", D("0"), D("132.00"), note.number) in rows  # 120.00 EUR at 1.10
    assert note.fx_rate == D("1.10") and note.functional_total == D("132.00")


def test_a_migrated_invoice_is_credited_against_opening_balances(finance):
    from billing.services.opening_balances import import_opening_balances
    from tests.customers.factories import AccountFactory

    AccountFactory(name="Acme")
    import_opening_balances(content=b"number,account,currency,issue_date,due_date,amount\n"
                                    b"OLD-9,Acme,USD,2026-09-01,2026-10-01,80.00\n",
                            by=finance, on=ON)
    from billing.models import Invoice

    invoice = Invoice.objects.get(number="OLD-9")
    note = issue_credit_note(invoice=invoice, by=finance, reason="billing_error",
                             amount=D("30.00"), on=ON)
    rows = _lines(note.journal_entry_id)
    assert {(code, debit, credit) for code, debit, credit, _ in rows} == {
        ("3000", D("30.00"), D("0")), ("1100", D("0"), D("30.00"))}
    invoice.refresh_from_db()
    assert invoice.amount_due == D("50.00")


def test_an_invoice_with_a_negative_line_is_credited_at_most_its_net_total(finance, vat):
    from tests.billing.documents.conftest import gb_account, issue

    invoice = issue(finance, gb_account(), charges=(("Seats", "100.00", ""),
                                                    ("Amendment credit", "-30.00", "")))
    assert invoice.total == D("84.00")

    note = issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True,
                             on=ON)

    assert (note.subtotal, note.tax_total, note.total) == (D("70.00"), D("14.00"), D("84.00"))
    invoice.refresh_from_db()
    assert invoice.amount_due == D("0.00")
    with pytest.raises(ValidationError, match="Nothing is left to credit"):
        issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True, on=ON)
