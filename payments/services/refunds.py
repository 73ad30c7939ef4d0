"""Refunds (whole or part) and disputes (chargebacks).

A refund is paid from the payment's unapplied cash first, then taken back off its invoices
(latest applied first). Card refunds go through the gateway with a key made from our row ids,
after everything else has been checked and posted, so a refused refund leaves nothing behind.
A dispute takes the whole payment off its invoices and out of cash while open; won, the cash
comes back and is applied again to those invoices (as far as they are still due); lost, the
money stays with the cardholder and the invoices stay open.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from billing.selectors import invoices_for_update
from core.actors import as_actor, require
from core.dates import business_date
from core.events import record_event
from core.formatting import format_money
from core.money import round_money
from core.transitions import run_transition
from ledger.services import post_entry
from payments.gateways import GatewayDeclined, GatewayTimeout, gateway
from payments.journals import cash_entry
from payments.models import Dispute, Payment, PaymentMethodKind, PaymentState, Refund
from payments.models.payments import HELD_STATES
from payments.selectors import payment_for_update
from payments.services.cash import (
    Application,
    apply_cash,
    checked_amount,
    payer_of,
    record_allocations,
    take_back,
)

ZERO = Decimal("0")


def _post(payment: Payment, parts, *, cash: Decimal, day: date, memo: str, by):
    draft, results = cash_entry(payer=payer_of(payment), day=day, memo=memo, parts=parts,
                                functional_currency=settings.FUNCTIONAL_CURRENCY, cash=cash,
                                credit_before=payment.unapplied, source=payment)
    entry = post_entry(draft, by=by, on=day)
    record_allocations(payment, parts, results, entry=entry, day=day, by=by, note=memo)
    return entry


def _refund_at_gateway(payment: Payment, amount: Decimal, key: str) -> str:
    if payment.method != PaymentMethodKind.CARD or not payment.gateway:
        return ""
    try:
        return gateway().refund(reference=payment.gateway_reference, amount=amount,
                                idempotency_key=key).reference
    except GatewayDeclined as error:
        raise ValidationError({"amount": f"The gateway refused the refund: {error}"}) from None
    except GatewayTimeout:
        raise ValidationError("The gateway did not answer, so nothing was refunded here. Try "
                              "again: the gateway will not refund twice.") from None


@transaction.atomic
def refund_payment(*, payment, amount, reason: str, by, on: date | None = None) -> Refund:
    """Refund part or all of a payment: succeeded → partially refunded → refunded."""
    require(by, "payments.refund_payment", "You are not allowed to refund payments.")
    payment = payment_for_update(payment.pk)
    if payment.state not in HELD_STATES:
        raise ValidationError(f"{payment} is {payment.get_state_display().lower()}: only "
                              "received money can be refunded.")
    amount = checked_amount(amount, payment.currency)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the money is refunded."})
    on_charges = payment.late_charge_payments.aggregate(paid=Sum("amount"))["paid"] or ZERO
    refundable = round_money(payment.refundable_amount - on_charges, payment.currency)
    if amount > refundable:
        paid_charges = (f" ({round_money(on_charges, payment.currency)} of it paid late fees "
                        "and interest)") if on_charges else ""
        raise ValidationError({"amount": f"{amount} is more than the {refundable} of "
                                         f"{payment} that can be refunded{paid_charges}."})
    day = business_date(on)
    memo = f"Refund of {format_money(amount, payment.currency)} on {payment}: {reason.strip()}"
    parts = take_back(payment, amount - payment.unapplied, by=by, day=day, note=memo)
    entry = _post(payment, parts, cash=-amount, day=day, memo=memo, by=by)
    key = f"payment-{payment.pk}-refund-{payment.refunds.count() + 1}"
    refund = Refund.objects.create(
        payment=payment, amount=amount, refunded_on=day, reason=reason.strip()[:255],
        idempotency_key=key, journal_entry=entry, created_by=as_actor(by).user)
    refund.gateway_reference = _refund_at_gateway(payment, amount, key)
    refund.save(update_fields=["gateway_reference"])
    run_transition(payment, "refund", by=by, on=day, note=memo, amount=amount)
    record_event("payment.refunded", payment, refund=refund.pk, amount=amount)
    return refund


@transaction.atomic
def open_dispute(*, payment, reason: str, by, on: date | None = None,
                 gateway_reference: str = "") -> Dispute:
    """A chargeback: the payment comes off its invoices and its cash is withdrawn."""
    require(by, "payments.manage_dispute", "You are not allowed to record disputes.")
    payment = payment_for_update(payment.pk)
    if payment.method != PaymentMethodKind.CARD:
        raise ValidationError("Only a card payment can be disputed.")
    if payment.state != PaymentState.SUCCEEDED:
        raise ValidationError(f"{payment} is {payment.get_state_display().lower()}: only a "
                              "succeeded card payment can be disputed.")
    day = business_date(on)
    amount = payment.amount - payment.amount_refunded
    memo = f"Chargeback on {payment}: {reason.strip() or 'no reason given'}"
    parts = take_back(payment, payment.amount_applied, by=by, day=day, note=memo)
    entry = _post(payment, parts, cash=-amount, day=day, memo=memo, by=by)
    payment.amount_disputed = amount
    dispute = Dispute.objects.create(
        payment=payment, amount=amount, reason=(reason.strip() or "Chargeback")[:255],
        gateway_reference=gateway_reference, opened_on=day, opening_entry=entry,
        reversed_allocations=[[p.invoice_id, str(-p.amount)] for p in parts])
    run_transition(payment, "dispute", by=by, on=day, note=memo)
    return dispute


@transaction.atomic
def close_dispute(*, dispute, won: bool, by, on: date | None = None) -> Dispute:
    """End a dispute: won → the cash is back and applied again; lost → the money is gone."""
    require(by, "payments.manage_dispute", "You are not allowed to close disputes.")
    payment = payment_for_update(dispute.payment_id)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    day = business_date(on)
    if not won:
        run_transition(dispute, "lose", by=by, on=day, day=day,
                       note="The cardholder's bank kept the money.")
        run_transition(payment, "lose_dispute", by=by, on=day,
                       note=f"Chargeback lost: "
                            f"{format_money(dispute.amount, payment.currency)} stays with "
                            "the cardholder; the invoices stay open.")
        return dispute
    taken = [(int(pk), Decimal(amount)) for pk, amount in dispute.reversed_allocations]
    open_due = {i.pk: i.amount_due for i in invoices_for_update(pk for pk, _ in taken)
                if i.is_open}
    applications = [Application(pk, min(amount, open_due[pk])) for pk, amount in taken
                    if open_due.get(pk, ZERO) > 0]
    payment.amount_disputed = ZERO
    dispute.closing_entry = apply_cash(payment, applications, by=by, day=day,
                                       cash=dispute.amount,
                                       memo=f"Chargeback on {payment} won: cash returned")
    run_transition(dispute, "win", by=by, on=day, day=day, note="The dispute was won.")
    run_transition(payment, "win_dispute", by=by, on=day,
                   note=f"Chargeback won: "
                            f"{format_money(dispute.amount, payment.currency)} returned.")
    return dispute
