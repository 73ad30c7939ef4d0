"""The gateway's webhook: signature checked (HMAC with the shared secret, recent), each event
handled once, charges and disputes settled from it."""

import json
import time
from decimal import Decimal as D

import pytest
from django.urls import reverse

from billing.models import InvoiceState
from core.actors import Actor
from payments.gateways import sandbox
from payments.models import PaymentState, WebhookEvent
from payments.services import charge_invoice
from tests.payments.factories import ASYNC, SUCCESS, card_token, issued_invoice

pytestmark = pytest.mark.django_db
CUSTOMER = Actor.customer(name="Pat Payer", ip="203.0.113.9")
URL = "payments:webhook"


def post(client, body: bytes, signature: str):
    return client.post(reverse(URL), body, content_type="application/json",
                       HTTP_SANDBOX_SIGNATURE=signature)


def test_a_signed_success_event_settles_a_pending_payment(client):
    invoice = issued_invoice()
    payment = charge_invoice(invoice=invoice, token=card_token(ASYNC), by=CUSTOMER)
    body = sandbox.event_body("charge.succeeded", payment.gateway_reference)

    response = post(client, body, sandbox.sign(body))

    assert response.status_code == 200
    payment.refresh_from_db(), invoice.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and invoice.state == InvoiceState.PAID


def test_the_same_event_delivered_twice_is_handled_once(client):
    payment = charge_invoice(invoice=issued_invoice(), token=card_token(ASYNC), by=CUSTOMER)
    body = sandbox.event_body("charge.succeeded", payment.gateway_reference)
    assert post(client, body, sandbox.sign(body)).status_code == 200
    assert post(client, body, sandbox.sign(body)).status_code == 200
    assert WebhookEvent.objects.count() == 1


@pytest.mark.parametrize("signature", [
    "", "t=1,v1=abc", "nonsense",
    "t={now},v1=" + "0" * 64,
])
def test_a_bad_signature_is_refused_and_nothing_changes(client, signature):
    payment = charge_invoice(invoice=issued_invoice(), token=card_token(ASYNC), by=CUSTOMER)
    body = sandbox.event_body("charge.succeeded", payment.gateway_reference)

    response = post(client, body, signature.format(now=int(time.time())))

    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and not WebhookEvent.objects.exists()


def test_an_old_signature_is_refused_as_a_replay(client):
    payment = charge_invoice(invoice=issued_invoice(), token=card_token(ASYNC), by=CUSTOMER)
    body = sandbox.event_body("charge.succeeded", payment.gateway_reference)
    old = sandbox.sign(body, at=int(time.time()) - sandbox.SIGNATURE_TOLERANCE_SECONDS - 5)
    assert post(client, body, old).status_code == 400


def test_a_signature_over_another_body_is_refused(client):
    payment = charge_invoice(invoice=issued_invoice(), token=card_token(ASYNC), by=CUSTOMER)
    body = sandbox.event_body("charge.succeeded", payment.gateway_reference)
    tampered = json.dumps({**json.loads(body), "type": "charge.failed"}).encode()
    assert post(client, tampered, sandbox.sign(body)).status_code == 400


def test_dispute_events_take_the_payment_off_the_invoice_and_back(client):
    invoice = issued_invoice(net=D("50.00"))
    payment = charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER)
    opened = sandbox.event_body("charge.dispute.created", payment.gateway_reference,
                                reason="fraudulent", dispute="dp_1")
    assert post(client, opened, sandbox.sign(opened)).status_code == 200
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED

    closed = sandbox.event_body("charge.dispute.closed", payment.gateway_reference,
                                status="won")
    assert post(client, closed, sandbox.sign(closed)).status_code == 200
    invoice.refresh_from_db(), payment.refresh_from_db()
    assert invoice.state == InvoiceState.PAID and payment.state == PaymentState.SUCCEEDED


def test_the_sandbox_sends_the_outcome_of_an_asynchronous_charge_to_the_webhook(
        client, time_machine):
    from datetime import timedelta

    # given: a card the gateway confirms later
    invoice = issued_invoice()
    payment = charge_invoice(invoice=invoice, token=card_token(ASYNC), by=CUSTOMER)

    def send(body, signature):
        return post(client, body, signature).status_code

    # when: nothing is due yet, then the confirmation is
    assert sandbox.deliver_events(send) == 0
    time_machine.shift(sandbox.CONFIRM_AFTER + timedelta(seconds=1))
    assert sandbox.deliver_events(send) == 1
    # then: settled through the webhook, and sent once
    payment.refresh_from_db(), invoice.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and invoice.state == InvoiceState.PAID
    assert sandbox.deliver_events(send) == 0
    assert WebhookEvent.objects.get().outcome == f"{payment} is succeeded"


def test_the_sender_command_keeps_events_when_the_site_cannot_be_reached():
    from io import StringIO

    from django.core.management import call_command

    from payments.models import SandboxCharge

    charge_invoice(invoice=issued_invoice(), token=card_token(SUCCESS), by=CUSTOMER)
    out, err = StringIO(), StringIO()
    call_command("sandbox_webhooks", url="http://127.0.0.1:9/unreachable/", stdout=out,
                 stderr=err)
    assert "0 events delivered" in out.getvalue() and "Could not reach" in err.getvalue()
    assert SandboxCharge.objects.get().notified_at is None
