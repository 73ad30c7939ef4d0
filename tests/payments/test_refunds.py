"""Refunds (whole or part, through the gateway for cards), disputes and write-offs: each step
posted, balanced and in the payment's timeline."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import InvoiceState
from core.actors import Actor
from core.transitions import history_for
from ledger import chart
from ledger.models import JournalEntry
from payments.models import DisputeState, PaymentState, SandboxRefund
from payments.selectors import credit_balance
from payments.services import (
    Application,
    charge_invoice,
    close_dispute,
    open_dispute,
    record_payment,
    refund_payment,
    write_off_invoice,
)
from tests.payments.factories import ON, SUCCESS, account, card_token, issued_invoice
from tests.payments.test_cash import balanced, lines_of

pytestmark = pytest.mark.django_db
CUSTOMER = Actor.customer(name="Pat Payer", ip="203.0.113.9")


def card_payment(net=D("100.00")):
    invoice = issued_invoice(net=net)
    return charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER), invoice


def test_a_partial_card_refund_goes_through_the_gateway_and_reopens_the_invoice(finance):
    payment, invoice = card_payment()

    refund = refund_payment(payment=payment, amount=D("40.00"), reason="Service outage",
                            by=finance)

    payment.refresh_from_db(), invoice.refresh_from_db()
    assert payment.state == PaymentState.PARTIALLY_REFUNDED
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PARTIALLY_PAID, D("40.00"))
    assert refund.gateway_reference == SandboxRefund.objects.get().reference
    lines = lines_of(refund.journal_entry_id)
    assert lines[chart.CASH] == (D(0), D("40.00"))
    assert lines[chart.ACCOUNTS_RECEIVABLE] == (D("40.00"), D(0))
    assert balanced(refund.journal_entry_id)


def test_refunding_the_rest_makes_the_payment_refunded(finance):
    payment, invoice = card_payment()
    refund_payment(payment=payment, amount=D("40.00"), reason="Part", by=finance)
    refund_payment(payment=payment, amount=D("60.00"), reason="Rest", by=finance)
    payment.refresh_from_db(), invoice.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED
    assert (invoice.state, invoice.amount_due) == (InvoiceState.ISSUED, D("100.00"))
    assert [log.target for log in history_for(payment)] == [
        "succeeded", "partially_refunded", "refunded"]


def test_a_refund_is_never_more_than_what_is_left(finance):
    payment, _ = card_payment()
    refund_payment(payment=payment, amount=D("90.00"), reason="Most", by=finance)
    with pytest.raises(ValidationError, match="more than the 10.00"):
        refund_payment(payment=payment, amount=D("10.01"), reason="Too much", by=finance)


def test_a_bank_transfer_refund_is_recorded_from_the_credit_balance_first(finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="bank_transfer", amount=D("130.00"),
                             currency="USD", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("100.00"))])

    refund = refund_payment(payment=payment, amount=D("30.00"), reason="Overpaid", by=finance)

    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID and refund.gateway_reference == ""
    assert credit_balance(customer, "USD") == D("0.00")
    lines = lines_of(refund.journal_entry_id)
    assert lines == {chart.CUSTOMER_CREDITS: (D("30.00"), D(0)), chart.CASH: (D(0), D("30.00"))}


def test_sales_cannot_refund(sales_rep):
    payment, _ = card_payment()
    with pytest.raises(PermissionDenied):
        refund_payment(payment=payment, amount=D("1.00"), reason="x", by=sales_rep)


def test_a_dispute_takes_the_payment_off_the_invoice_and_winning_restores_it(finance):
    # given
    payment, invoice = card_payment()
    # when: the chargeback opens
    dispute = open_dispute(payment=payment, reason="Fraudulent", by=finance)
    # then: the invoice is due again and the cash is gone
    invoice.refresh_from_db(), payment.refresh_from_db()
    assert payment.state == PaymentState.DISPUTED
    assert (invoice.state, invoice.amount_due) == (InvoiceState.ISSUED, D("100.00"))
    lines = lines_of(dispute.opening_entry_id)
    assert lines[chart.CASH] == (D(0), D("100.00"))
    assert lines[chart.ACCOUNTS_RECEIVABLE] == (D("100.00"), D(0))
    # when: won
    close_dispute(dispute=dispute, won=True, by=finance)
    # then
    invoice.refresh_from_db(), payment.refresh_from_db(), dispute.refresh_from_db()
    assert dispute.state == DisputeState.WON and payment.state == PaymentState.SUCCEEDED
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0"))
    assert lines_of(dispute.closing_entry_id)[chart.CASH] == (D("100.00"), D(0))
    assert balanced(dispute.opening_entry_id) and balanced(dispute.closing_entry_id)
    assert [log.target for log in history_for(payment)] == ["succeeded", "disputed",
                                                             "succeeded"]


def test_a_lost_dispute_leaves_the_invoice_open_and_the_payment_lost(finance):
    payment, invoice = card_payment()
    dispute = open_dispute(payment=payment, reason="Not received", by=finance)
    close_dispute(dispute=dispute, won=False, by=finance)
    payment.refresh_from_db(), invoice.refresh_from_db()
    assert payment.state == PaymentState.LOST and payment.unapplied == 0
    assert (invoice.state, invoice.amount_due) == (InvoiceState.ISSUED, D("100.00"))


def test_only_a_card_payment_can_be_disputed(finance):
    payment = record_payment(account=account(), method="check", amount=D("5.00"),
                             currency="USD", received_on=ON, by=finance)
    with pytest.raises(ValidationError, match="Only a card payment"):
        open_dispute(payment=payment, reason="x", by=finance)


def test_a_write_off_posts_bad_debt_for_what_is_still_due(finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    record_payment(account=customer, method="check", amount=D("30.00"), currency="USD",
                   received_on=ON, by=finance, applications=[Application(invoice.pk, D("30.00"))])

    invoice = write_off_invoice(invoice=invoice, by=finance, note="Insolvent")

    assert invoice.state == InvoiceState.UNCOLLECTIBLE
    entry = JournalEntry.objects.get(pk=invoice.write_off_entry_id)
    assert lines_of(entry.pk)[chart.BAD_DEBT_EXPENSE] == (D("70.00"), D(0))
    assert lines_of(entry.pk)[chart.ACCOUNTS_RECEIVABLE] == (D(0), D("70.00"))


def test_sales_cannot_write_off(sales_rep):
    with pytest.raises(PermissionDenied):
        write_off_invoice(invoice=issued_invoice(), by=sales_rep, note="x")
