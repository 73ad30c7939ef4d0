"""Payments, reversals, credits and write-offs: the only writers of an invoice's amount due."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import InvoiceState
from billing.services import apply_credit, apply_payment, mark_uncollectible, reverse_payment
from core.transitions import history_for
from ledger.models import JournalEntry
from tests.billing.factories import ON, issued_invoice_row

pytestmark = pytest.mark.django_db


def test_partial_then_full_payment_moves_issued_to_partially_paid_to_paid(finance):
    invoice = issued_invoice_row(total=D("100.00"))

    invoice = apply_payment(invoice=invoice, amount=D("40.00"), by=finance, on=ON)
    assert (invoice.state, invoice.amount_due, invoice.amount_paid) == (
        InvoiceState.PARTIALLY_PAID, D("60.00"), D("40.00"))

    invoice = apply_payment(invoice=invoice, amount=D("60.00"), by=finance, on=ON)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0"))
    assert [log.target for log in history_for(invoice)] == ["partially_paid", "paid"]


def test_a_payment_never_takes_the_amount_due_below_zero(finance):
    invoice = issued_invoice_row(total=D("100.00"))
    with pytest.raises(ValidationError, match="more than the 100.00 due"):
        apply_payment(invoice=invoice, amount=D("100.01"), by=finance, on=ON)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.ISSUED, D("100.00"))


@pytest.mark.parametrize(("amount", "message"), [
    (D("0"), "more than zero"), (D("-5.00"), "more than zero"), (D("1.001"), "not rounded"),
])
def test_bad_payment_amounts_are_refused_by_field(finance, amount, message):
    invoice = issued_invoice_row()
    with pytest.raises(ValidationError, match=message) as caught:
        apply_payment(invoice=invoice, amount=amount, by=finance, on=ON)
    assert "amount" in caught.value.message_dict


def test_jpy_payment_must_be_whole_yen(finance):
    invoice = issued_invoice_row(total=D("1000"), currency="JPY")
    with pytest.raises(ValidationError, match="not rounded to JPY"):
        apply_payment(invoice=invoice, amount=D("0.5"), by=finance, on=ON)


def test_reversals_move_paid_back_to_partially_paid_then_issued(finance):
    invoice = issued_invoice_row(total=D("100.00"))
    apply_payment(invoice=invoice, amount=D("100.00"), by=finance, on=ON)

    invoice = reverse_payment(invoice=invoice, amount=D("30.00"), by=finance, on=ON)
    assert (invoice.state, invoice.amount_due, invoice.amount_paid) == (
        InvoiceState.PARTIALLY_PAID, D("30.00"), D("70.00"))

    invoice = reverse_payment(invoice=invoice, amount=D("70.00"), by=finance, on=ON)
    assert (invoice.state, invoice.amount_due, invoice.amount_paid) == (
        InvoiceState.ISSUED, D("100.00"), D("0.00"))


def test_reversing_more_than_was_paid_is_refused(finance):
    invoice = issued_invoice_row(total=D("100.00"))
    apply_payment(invoice=invoice, amount=D("10.00"), by=finance, on=ON)
    with pytest.raises(ValidationError, match="more than the 10.00 paid"):
        reverse_payment(invoice=invoice, amount=D("10.01"), by=finance, on=ON)


def test_an_unpaid_invoice_has_no_payment_to_reverse(finance):
    with pytest.raises(ValidationError, match="only a paid or partially paid"):
        reverse_payment(invoice=issued_invoice_row(), amount=D("1.00"), by=finance, on=ON)


def test_a_draft_takes_no_payment(finance):
    invoice = issued_invoice_row()
    invoice.__class__.objects.filter(pk=invoice.pk).update(state=InvoiceState.DRAFT)
    with pytest.raises(ValidationError, match="only an issued or partially paid"):
        apply_payment(invoice=invoice, amount=D("1.00"), by=finance, on=ON)


def test_sales_and_accountants_cannot_apply_payments(sales_rep, accountant):
    invoice = issued_invoice_row()
    for user in (sales_rep, accountant):
        with pytest.raises(PermissionDenied):
            apply_payment(invoice=invoice, amount=D("1.00"), by=user, on=ON)
        with pytest.raises(PermissionDenied):
            mark_uncollectible(invoice=invoice, by=user, on=ON, note="gone")


def test_credit_down_to_nothing_settles_the_invoice(finance):
    invoice = issued_invoice_row(total=D("50.00"))
    invoice = apply_credit(invoice=invoice, amount=D("20.00"), by=finance, on=ON)
    assert (invoice.state, invoice.amount_due, invoice.amount_credited) == (
        InvoiceState.ISSUED, D("30.00"), D("20.00"))
    invoice = apply_credit(invoice=invoice, amount=D("30.00"), by=finance, on=ON)
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0.00"))


def test_write_off_posts_bad_debt_against_the_receivable_and_clears_the_amount_due(finance):
    invoice = issued_invoice_row(total=D("100.00"))
    apply_payment(invoice=invoice, amount=D("25.00"), by=finance, on=ON)

    invoice = mark_uncollectible(invoice=invoice, by=finance, on=ON, note="Customer insolvent")

    assert invoice.state == InvoiceState.UNCOLLECTIBLE
    assert (invoice.amount_due, invoice.amount_written_off) == (D("0"), D("75.00"))
    entry = JournalEntry.objects.get(pk=invoice.write_off_entry_id)
    lines = {line.gl_account.code: line for line in entry.lines.all()}
    assert lines["6100"].debit == D("75.00") and lines["1100"].credit == D("75.00")
    assert lines["1100"].customer_account_id == invoice.account_id
    assert entry.total_debit == entry.total_credit


def test_write_off_needs_a_reason(finance):
    with pytest.raises(ValidationError) as caught:
        mark_uncollectible(invoice=issued_invoice_row(), by=finance, on=ON, note=" ")
    assert "note" in caught.value.message_dict


def test_a_paid_invoice_cannot_be_written_off(finance):
    invoice = issued_invoice_row(total=D("10.00"))
    apply_payment(invoice=invoice, amount=D("10.00"), by=finance, on=ON)
    with pytest.raises(ValidationError, match="only an issued or partially paid"):
        mark_uncollectible(invoice=invoice, by=finance, on=ON, note="late")
