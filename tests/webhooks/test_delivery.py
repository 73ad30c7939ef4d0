"""Webhooks delivered to a real local HTTP receiver: signed, retried after a failure with
backoff, replayed on demand; an endpoint failing again and again is disabled and its owner told."""

import json
import threading
from datetime import timedelta
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Event
from tests.payments.factories import issued_invoice
from webhooks import services, signatures
from webhooks.models import Attempt, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on a free local port that answers each POST with the next status of
    `answers` (then 200) and keeps what it received."""

    def __init__(self, answers=()):
        self.answers = list(answers)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _verified(endpoint, headers, body) -> bool:
    return signatures.verify(endpoint.secret, headers[signatures.HEADER], body,
                             now=int(timezone.now().timestamp()))


def test_an_issued_invoice_is_delivered_signed_with_the_api_object(finance):
    with Receiver() as receiver:
        endpoint = Endpoint.objects.create(url=receiver.url, owner=finance,
                                           event_types=["invoice.issued"])
        # when an invoice is issued
        invoice = issued_invoice(net=D("100.00"))
        [delivery_id] = services.publish_events()
        delivery = services.deliver(delivery_id)
    # then the receiver got one signed body carrying the invoice as the API shows it
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.last_status_code == 200
    [(headers, body)] = receiver.received
    assert _verified(endpoint, headers, body)
    payload = json.loads(body)
    assert payload["type"] == "invoice.issued"
    assert payload["data"]["object"]["number"] == invoice.number
    assert payload["data"]["object"]["total"] == "100.0000"
    assert Event.objects.get(type="invoice.issued").published_at is not None


def test_a_tampered_body_or_an_old_timestamp_fails_verification(finance):
    secret = "whsec_test"
    body = b'{"id": "evt_1"}'
    header = signatures.sign(secret, 1_800_000_000, body)
    assert signatures.verify(secret, header, body, now=1_800_000_100)
    assert not signatures.verify(secret, header, body + b" ", now=1_800_000_100)
    assert not signatures.verify("whsec_other", header, body, now=1_800_000_100)
    assert not signatures.verify(secret, header, body, now=1_800_000_000 + 301)
    assert not signatures.verify(secret, "garbage", body, now=1_800_000_100)


def test_a_failure_is_retried_after_its_backoff_then_delivered(finance, time_machine):
    with Receiver(answers=[500]) as receiver:
        endpoint = Endpoint.objects.create(url=receiver.url, owner=finance)
        issued_invoice(net=D("10.00"))
        [delivery_id] = services.publish_events()
        # the first try gets a 500
        first = services.deliver(delivery_id)
        assert (first.state, first.attempts, first.last_status_code) == (
            DeliveryState.PENDING, 1, 500)
        assert first.next_attempt_at > timezone.now()
        # nothing is due before the backoff has passed
        assert services.due_deliveries() == []
        time_machine.shift(services.backoff(1) + timedelta(seconds=1))
        assert services.due_deliveries() == [delivery_id]
        second = services.deliver(delivery_id)
    assert (second.state, second.attempts) == (DeliveryState.SUCCEEDED, 2)
    assert [a.status_code for a in Attempt.objects.order_by("pk")] == [500, 200]
    assert len(receiver.received) == 2
    assert all(_verified(endpoint, h, b) for h, b in receiver.received)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_delivered_event_is_replayed_on_demand_with_the_same_id(finance):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@x.example", "pw-123-root")
    with Receiver() as receiver:
        Endpoint.objects.create(url=receiver.url, owner=finance)
        issued_invoice(net=D("10.00"))
        [delivery_id] = services.publish_events()
        delivered = services.deliver(delivery_id)
        services.deliver(delivery_id)  # a settled delivery is not sent twice by itself
        services.replay(delivery=delivered, by=admin)
        services.deliver(delivery_id)
    ids = [json.loads(body)["id"] for _, body in receiver.received]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_publishing_twice_queues_each_event_once_per_endpoint(finance):
    Endpoint.objects.create(url="http://127.0.0.1:9/a", owner=finance)
    Endpoint.objects.create(url="http://127.0.0.1:9/b", owner=finance,
                            event_types=["quote.accepted"])
    issued_invoice(net=D("10.00"))
    first, again = services.publish_events(), services.publish_events()
    assert len(first) == 1 and again == []


def test_an_endpoint_failing_again_and_again_is_disabled_and_its_owner_told(
        finance, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "DISABLE_AFTER", 3)
    with Receiver(answers=[503] * 10) as receiver:
        endpoint = Endpoint.objects.create(url=receiver.url, owner=finance)
        for _ in range(3):
            issued_invoice(net=D("10.00"))
        with django_capture_on_commit_callbacks(execute=True):
            for delivery_id in services.publish_events():
                services.deliver(delivery_id)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_reason.startswith("3 failed attempts")
    assert len(mail.outbox) == 1 and endpoint.url in mail.outbox[0].subject
    assert services.due_deliveries() == []  # nothing more is sent to a disabled endpoint


def test_an_unreachable_receiver_is_logged_as_an_attempt(finance):
    Endpoint.objects.create(url="http://127.0.0.1:9/closed", owner=finance)
    issued_invoice(net=D("10.00"))
    [delivery_id] = services.publish_events()
    delivery = services.deliver(delivery_id)
    assert delivery.state == DeliveryState.PENDING and delivery.last_status_code is None
    assert Attempt.objects.get().error


def test_the_backoff_doubles_and_is_capped():
    assert [services.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert services.backoff(30) == services.LONGEST_WAIT


def test_a_replay_is_queued_through_the_outbox_and_sent_once_it_commits(
        finance, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    from core.models import OutboxMessage

    admin = get_user_model().objects.create_superuser("root", "root@x.example", "pw-123-root")
    with Receiver() as receiver:
        Endpoint.objects.create(url=receiver.url, owner=finance)
        issued_invoice(net=D("10.00"))
        [delivery_id] = services.publish_events()
        delivered = services.deliver(delivery_id)
        with django_capture_on_commit_callbacks(execute=True):
            services.replay(delivery=delivered, by=admin)
    message = OutboxMessage.objects.get(task="webhooks.tasks.deliver_task")
    assert message.args == [delivery_id] and message.sent_at is not None
    assert len(receiver.received) == 2
