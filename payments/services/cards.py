"""Card payments through the gateway: charge an invoice (from the customer's link, autopay or
a dunning retry), record the gateway's answer, save a card, and settle what is pending.

A charge runs in three steps so the gateway is never called inside a half-made decision:
1. lock the invoice and find or make the pending payment whose idempotency key names the
   invoice and the attempt (`invoice-<pk>-charge-<n>`, n = failed attempts + 1): a retry, a
   double click or a concurrent request gets the same payment and the same key;
2. ask the gateway to charge with that key (it answers a repeated key with the first answer);
3. record the answer: succeeded → the cash is received and applied; failed → failed; pending or
   a timeout → the payment stays pending until a webhook or `settle_pending_payment` says how it
   ended (never guessed).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import Invoice
from billing.selectors import invoice_for_update
from core.actors import as_actor, require
from core.dates import business_date
from core.events import record_event
from core.transitions import run_transition
from ledger.fx import convert
from ledger.services import rate_on
from payments.gateways import (
    ChargeResult,
    ChargeStatus,
    GatewayDeclined,
    GatewayTimeout,
    gateway,
)
from payments.models import Payment, PaymentMethod, PaymentMethodKind, PaymentState
from payments.selectors import early_discount, payment_for_update, to_pay
from payments.services.cash import Application, receive


def charge_key(invoice: Invoice) -> str:
    failed = Payment.objects.filter(invoice=invoice, state=PaymentState.FAILED).count()
    return f"invoice-{invoice.pk}-charge-{failed + 1}"


@transaction.atomic
def _pending_payment(*, invoice, by, day: date, method: PaymentMethod | None,
                     autopay: bool) -> Payment:
    """Step 1: the pending payment of this attempt (made once, whoever asks first)."""
    invoice = invoice_for_update(invoice.pk)
    key = charge_key(invoice)
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if not invoice.is_open or invoice.amount_due <= 0:
        raise ValidationError(f"{invoice} has nothing left to pay.")
    amount = to_pay(invoice, early_discount(invoice, day))
    rate = rate_on(invoice.currency, day)
    return Payment.objects.create(
        account_id=invoice.account_id, method=PaymentMethodKind.CARD, amount=amount,
        currency=invoice.currency, received_on=day, reference=f"Card payment of {invoice}",
        gateway=gateway().name, idempotency_key=key, payment_method=method, invoice=invoice,
        autopay=autopay, fx_rate=rate,
        functional_amount=convert(amount, rate, settings.FUNCTIONAL_CURRENCY),
        created_by=as_actor(by).user)


def charge_invoice(*, invoice, by, token: str = "", method: PaymentMethod | None = None,
                   on: date | None = None, autopay: bool = False) -> Payment:
    """Charge what is due on an invoice to a card (a one-time token or a saved method); the
    invoice is charged at most once per attempt whatever happens to the request."""
    require(by, "payments.charge_card", "You are not allowed to charge cards.")
    if not token and method is None:
        raise ValidationError({"token": "A card is needed."})
    day = business_date(on)
    payment = _pending_payment(invoice=invoice, by=by, day=day, method=method, autopay=autopay)
    if payment.state != PaymentState.PENDING:
        return payment
    try:
        result = gateway().charge(token=token or method.token, amount=payment.amount,
                                  currency=payment.currency,
                                  idempotency_key=payment.idempotency_key)
    except GatewayTimeout:
        return payment  # outcome unknown: stays pending, settled by asking again
    except GatewayDeclined as error:
        result = ChargeResult(ChargeStatus.FAILED, "", "declined", str(error))
    return record_charge_result(payment=payment, result=result, by=by, on=day)


@transaction.atomic
def record_charge_result(*, payment, result: ChargeResult, by, on: date | None = None) -> Payment:
    """Step 3, also used by webhooks and settling: idempotent (an answer already recorded is
    left as it is)."""
    payment = payment_for_update(payment.pk)
    if payment.state != PaymentState.PENDING:
        return payment
    day = business_date(on)
    if result.reference and not payment.gateway_reference:
        payment.gateway_reference = result.reference
    if result.status == ChargeStatus.FAILED:
        payment = run_transition(payment, "fail", by=by, on=day, code=result.decline_code,
                                 message=result.message or "The card was declined.",
                                 note=f"Declined: {result.message or result.decline_code}")
        record_event("payment.failed", payment)
        return payment
    if result.status == ChargeStatus.PENDING:
        payment.save(update_fields=["gateway_reference", "updated_at"])
        return payment
    return receive(payment=payment, applications=_card_applications(payment), by=by, day=day)


def _card_applications(payment: Payment) -> list[Application]:
    """The invoice the card was charged for, as far as it is still due (someone may have paid
    it meanwhile); the rest of the cash is credit balance."""
    if payment.invoice_id is None:
        return []
    invoice = invoice_for_update(payment.invoice_id)
    if not invoice.is_open:
        return []
    due = to_pay(invoice, early_discount(invoice, payment.received_on))
    return [Application(invoice.pk, min(payment.amount, due))]


def settle_pending_payment(*, payment, by, on: date | None = None) -> Payment:
    """Ask the gateway how a pending charge ended and record it."""
    require(by, "payments.charge_card", "You are not allowed to settle card payments.")
    if payment.state != PaymentState.PENDING or not payment.idempotency_key:
        return payment
    try:
        result = gateway().retrieve_charge(idempotency_key=payment.idempotency_key)
    except GatewayTimeout:
        return payment
    if result is None:  # the charge never reached the gateway: it is safe to fail it
        result = ChargeResult(ChargeStatus.FAILED, "", "not_received",
                              "The gateway has no record of this charge.")
    return record_charge_result(payment=payment, result=result, by=by, on=on)


def settle_pending_payments(*, by, on: date | None = None) -> int:
    """Settle every pending card payment; how many are no longer pending."""
    pending = Payment.objects.filter(state=PaymentState.PENDING, method=PaymentMethodKind.CARD,
                                     idempotency_key__isnull=False).order_by("pk")
    settled = 0
    for payment in pending:
        if settle_pending_payment(payment=payment, by=by, on=on).state != PaymentState.PENDING:
            settled += 1
    return settled


@transaction.atomic
def save_card(*, account, token: str, by, autopay: bool = True) -> PaymentMethod:
    """Keep a card for later charges: only the gateway's token, brand, last four and expiry.
    A new autopay card replaces the previous one."""
    require(by, "payments.charge_card", "You are not allowed to save cards.")
    try:
        card = gateway().save_method(token=token)
    except GatewayDeclined as error:
        raise ValidationError({"token": str(error)}) from None
    if autopay:
        PaymentMethod.objects.filter(account=account, autopay=True, active=True).update(
            autopay=False)
    method, _ = PaymentMethod.objects.update_or_create(
        gateway=gateway().name, token=card.token,
        defaults={"account": account, "brand": card.brand, "last4": card.last4,
                  "exp_month": card.exp_month, "exp_year": card.exp_year, "autopay": autopay,
                  "active": True})
    return method



_save_card = save_card  # pay_invoice_by_card's keyword of that name hides the function


def pay_invoice_by_card(*, invoice, token: str, save_card: bool, by) -> Payment:
    """The customer pays an invoice on the pay page with a one-time card token, keeping the card
    for later invoices (autopay) when asked: the card is saved first and the charge then goes to
    the saved card.

    Not one transaction: the gateway's save and charge cannot be rolled back, and
    charge_invoice commits its pending payment before calling the gateway so that a repeated
    request charges the invoice at most once. A card saved before a refused charge is kept (as
    the page always did); a refused save (ValidationError) charges nothing."""
    method = _save_card(account=invoice.account, token=token, by=by) if save_card else None
    return charge_invoice(invoice=invoice, token=token, method=method, by=by)
