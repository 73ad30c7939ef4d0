"""Gateway events from the signed webhook: each handled once (the gateway redelivers until it
gets a 2xx), acting as the system user."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.actors import Actor
from payments.gateways import ChargeResult, ChargeStatus, GatewayEvent
from payments.models import Dispute, DisputeState, Payment, WebhookEvent
from payments.services.cards import record_charge_result
from payments.services.refunds import close_dispute, open_dispute


def _payment_of(event: GatewayEvent) -> Payment | None:
    key = event.data.get("idempotency_key")
    payments = Payment.objects.filter(gateway_reference=event.reference)
    if key:
        payments = Payment.objects.filter(idempotency_key=key) | payments
    return payments.order_by("pk").first()


def _handle(event: GatewayEvent, payment: Payment, by) -> str:
    if event.kind in ("charge.succeeded", "charge.failed"):
        status = ChargeStatus.SUCCEEDED if event.kind == "charge.succeeded" else ChargeStatus.FAILED
        result = ChargeResult(status, event.reference, event.data.get("decline_code", ""),
                              event.data.get("message", ""))
        payment = record_charge_result(payment=payment, result=result, by=by)
        return f"{payment} is {payment.get_state_display().lower()}"
    if event.kind == "charge.dispute.created":
        dispute = open_dispute(payment=payment, reason=event.data.get("reason", ""), by=by,
                               gateway_reference=event.data.get("dispute", ""))
        return f"{dispute} opened"
    if event.kind == "charge.dispute.closed":
        dispute = Dispute.objects.filter(payment=payment, state=DisputeState.OPEN).first()
        if dispute is None:
            return "no open dispute"
        dispute = close_dispute(dispute=dispute, won=event.data.get("status") == "won", by=by)
        return f"{dispute} closed"
    return "ignored"


@transaction.atomic
def handle_gateway_event(*, gateway_name: str, event: GatewayEvent) -> WebhookEvent | None:
    """Record and act on a verified event; None when it was handled before. An event that
    cannot apply (a dispute on a refunded payment) is recorded with the reason."""
    by = Actor.task(f"{gateway_name} webhook")
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                gateway=gateway_name, event_id=event.event_id, kind=event.kind,
                payload={"reference": event.reference, **event.data})
    except IntegrityError:
        return None
    payment = _payment_of(event)
    try:
        record.outcome = "unknown charge" if payment is None else _handle(event, payment, by)
    except ValidationError as error:
        record.outcome = " ".join(error.messages)[:255]
    record.save(update_fields=["outcome"])
    return record
