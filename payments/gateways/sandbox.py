"""A sandbox gateway that behaves like a real one, with deterministic test cards.

    4242 4242 4242 4242  Visa, succeeds
    5555 5555 5555 4444  Mastercard, succeeds
    4000 0000 0000 0077  Visa, accepted as pending; the gateway confirms it later (webhook)
    4000 0000 0000 9995  Visa, declined: insufficient funds
    4000 0000 0000 0069  Visa, declined: expired card
    4000 0000 0000 0119  Visa, network error: the charge goes through at the gateway but the
                         answer never arrives (our payment stays pending until we ask again)

Its hosted tokenizing endpoint (`payments.views.sandbox`) takes the card number from the
customer's browser and hands back a token: our pages and tables never see the number. Its books
are the Sandbox* tables; a repeated idempotency key returns the first answer. Webhooks are
signed `t=<unix time>,v1=<HMAC-SHA256 of "t.body">` with settings.PAYMENT_WEBHOOK_SECRET.
"""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from core import clock
from payments.gateways.base import (
    ChargeResult,
    ChargeStatus,
    GatewayDeclined,
    GatewayEvent,
    GatewayTimeout,
    InvalidSignature,
    RefundResult,
    SavedCard,
)
from payments.models import SandboxCard, SandboxCharge, SandboxRefund

SUCCEED, PENDING, NETWORK_ERROR = "succeed", "pending", "network_error"
INSUFFICIENT_FUNDS, EXPIRED_CARD = "insufficient_funds", "expired_card"
TEST_CARDS = {
    "4242424242424242": ("visa", SUCCEED),
    "5555555555554444": ("mastercard", SUCCEED),
    "4000000000000077": ("visa", PENDING),
    "4000000000009995": ("visa", INSUFFICIENT_FUNDS),
    "4000000000000069": ("visa", EXPIRED_CARD),
    "4000000000000119": ("visa", NETWORK_ERROR),
}
DECLINE_MESSAGES = {
    INSUFFICIENT_FUNDS: "Your card has insufficient funds.",
    EXPIRED_CARD: "Your card has expired.",
}
# A pending (asynchronous) charge is confirmed this long after it was made.
CONFIRM_AFTER = timedelta(seconds=30)
# Webhooks older than this are refused, so a captured one cannot be replayed later.
SIGNATURE_TOLERANCE_SECONDS = 300


def webhook_secret() -> bytes:
    return settings.PAYMENT_WEBHOOK_SECRET.encode()


def sign(body: bytes, *, at: int | None = None) -> str:
    """The signature header value for a webhook body."""
    at = int(time.time()) if at is None else at
    digest = hmac.new(webhook_secret(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def verify(body: bytes, signature: str) -> None:
    """Raise InvalidSignature unless the header signs this body, recently, with our secret."""
    try:
        parts = dict(item.split("=", 1) for item in signature.split(","))
        at, given = int(parts["t"]), parts["v1"]
    except (KeyError, ValueError):
        raise InvalidSignature("The signature header is malformed.") from None
    if not webhook_secret():
        raise InvalidSignature("No webhook secret is configured.")
    if abs(time.time() - at) > SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidSignature("The signature is too old.")
    expected = sign(body, at=at).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise InvalidSignature("The signature does not match.")


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number][::-1]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def tokenize(*, number: str, exp_month: int, exp_year: int, cvc: str) -> SandboxCard:
    """What the hosted field does with the number: check it and keep only what the card does."""
    number = "".join(ch for ch in number if ch.isdigit())
    if not (12 <= len(number) <= 19) or not luhn_valid(number):
        raise GatewayDeclined("The card number is not valid.", code="invalid_number")
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        raise GatewayDeclined("The security code is not valid.", code="invalid_cvc")
    today = clock.today()
    if not 1 <= exp_month <= 12 or (exp_year, exp_month) < (today.year, today.month):
        raise GatewayDeclined("The expiry date is in the past.", code="expired")
    if number not in TEST_CARDS:
        raise GatewayDeclined("The sandbox takes only its test card numbers.",
                              code="unsupported_card")
    brand, behaviour = TEST_CARDS[number]
    return SandboxCard.objects.create(
        token=f"tok_{secrets.token_hex(12)}", brand=brand, last4=number[-4:],
        exp_month=exp_month, exp_year=exp_year, behaviour=behaviour)


def _confirm_if_due(charge: SandboxCharge) -> SandboxCharge:
    waited = clock.now() - charge.created_at
    if charge.status == ChargeStatus.PENDING and waited >= CONFIRM_AFTER:
        charge.status = ChargeStatus.SUCCEEDED
        charge.save(update_fields=["status"])
    return charge


def _result(charge: SandboxCharge) -> ChargeResult:
    return ChargeResult(status=ChargeStatus(charge.status), reference=charge.reference,
                        decline_code=charge.decline_code,
                        message=DECLINE_MESSAGES.get(charge.decline_code, ""))


def _saved(card: SandboxCard) -> SavedCard:
    return SavedCard(token=card.token, brand=card.brand, last4=card.last4,
                     exp_month=card.exp_month, exp_year=card.exp_year)


def event_body(kind: str, reference: str, **data) -> bytes:
    """A webhook body as the sandbox sends it."""
    return json.dumps({"id": f"evt_{secrets.token_hex(10)}", "type": kind,
                       "data": {"charge": reference, **data}}).encode()


def deliver_events(send: Callable[[bytes, str], int]) -> int:
    """What the sandbox's sender does: confirm the pending charges that are due, then send each
    final charge's outcome not yet taken (`send(body, signature)` returns the HTTP status; a
    2xx marks it taken, anything else is sent again next time). How many were taken."""
    for charge in SandboxCharge.objects.filter(status=ChargeStatus.PENDING):
        _confirm_if_due(charge)
    taken = 0
    for charge in SandboxCharge.objects.filter(
            notified_at__isnull=True, status__in=[ChargeStatus.SUCCEEDED, ChargeStatus.FAILED]):
        kind = f"charge.{charge.status}"
        body = event_body(kind, charge.reference, idempotency_key=charge.idempotency_key,
                          decline_code=charge.decline_code,
                          message=DECLINE_MESSAGES.get(charge.decline_code, ""))
        if 200 <= send(body, sign(body)) < 300:
            SandboxCharge.objects.filter(pk=charge.pk).update(notified_at=clock.now())
            taken += 1
    return taken


class SandboxGateway:
    name = "sandbox"

    def charge(self, *, token: str, amount: Decimal, currency: str,
               idempotency_key: str) -> ChargeResult:
        existing = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            existing = self._new_charge(token, amount, currency, idempotency_key)
        elif (existing.amount, existing.currency) != (amount, currency):
            raise GatewayDeclined("This idempotency key was used for another charge.")
        if existing.card.behaviour == NETWORK_ERROR:
            raise GatewayTimeout("The gateway did not answer in time.")
        return _result(existing)

    def _new_charge(self, token, amount, currency, key) -> SandboxCharge:
        card = SandboxCard.objects.filter(token=token).first()
        if card is None:
            raise GatewayDeclined("Unknown card token.")
        declined = card.behaviour in DECLINE_MESSAGES
        status = (ChargeStatus.FAILED if declined else
                  ChargeStatus.PENDING if card.behaviour == PENDING else ChargeStatus.SUCCEEDED)
        try:
            with transaction.atomic():  # a concurrent request with the same key may win
                return SandboxCharge.objects.create(
                    idempotency_key=key, reference=f"ch_{secrets.token_hex(12)}", card=card,
                    amount=amount, currency=currency, status=status,
                    decline_code=card.behaviour if declined else "")
        except IntegrityError:
            return SandboxCharge.objects.get(idempotency_key=key)

    def retrieve_charge(self, *, idempotency_key: str) -> ChargeResult | None:
        charge = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        return None if charge is None else _result(_confirm_if_due(charge))

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> RefundResult:
        existing = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return RefundResult(reference=existing.reference)
        charge = SandboxCharge.objects.select_for_update().filter(reference=reference).first()
        if charge is None or charge.status != ChargeStatus.SUCCEEDED:
            raise GatewayDeclined("Only a succeeded charge can be refunded.")
        if charge.amount_refunded + amount > charge.amount:
            raise GatewayDeclined("The refund is more than what is left of the charge.")
        charge.amount_refunded += amount
        charge.save(update_fields=["amount_refunded"])
        refund = SandboxRefund.objects.create(
            idempotency_key=idempotency_key, reference=f"re_{secrets.token_hex(12)}",
            charge=charge, amount=amount)
        return RefundResult(reference=refund.reference)

    def save_method(self, *, token: str) -> SavedCard:
        card = SandboxCard.objects.filter(token=token).first()
        if card is None:
            raise GatewayDeclined("Unknown card token.")
        if not card.reusable:
            card.reusable = True
            card.save(update_fields=["reusable"])
        return _saved(card)

    def describe_card(self, *, token: str) -> SavedCard | None:
        card = SandboxCard.objects.filter(token=token).first()
        return None if card is None else _saved(card)

    def parse_webhook(self, *, body: bytes, signature: str) -> GatewayEvent:
        verify(body, signature)
        try:
            payload = json.loads(body)
            data = payload["data"]
            return GatewayEvent(event_id=payload["id"], kind=payload["type"],
                                reference=data["charge"], data=data)
        except (ValueError, KeyError, TypeError):
            raise InvalidSignature("The body is not a gateway event.") from None
