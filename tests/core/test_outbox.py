"""The transactional outbox with the broker unreachable (red team 2026-12, finding 6): the page
answers with what happened instead of a 500, the work stays consistent, and the messages leave
once the broker is back."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Invoice, InvoiceRun, RunState
from contracts.models import ContractState
from contracts.services import send_for_signature
from core import outbox
from core.models import OutboxMessage, ServiceBeat
from payments.models import DunningRunState
from payments.services import run_dunning
from q2c.celery import app
from tests.billing.test_runs import AS_OF, customer
from tests.celery_worker import point_broker_at
from tests.conftest import PASSWORD
from tests.contracts.factories import ON, draft_contract
from tests.payments.factories import issued_invoice

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:9/0"  # discard port: nothing listens


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to a broker that refuses connections; `back()` brings the eager default back."""
    point_broker_at(monkeypatch, CLOSED_PORT)

    def back():
        app.conf.task_always_eager = True
    return back


def test_starting_an_invoice_run_with_the_broker_down_answers_queued_and_runs_later(
        client, finance, broker_down, django_capture_on_commit_callbacks):
    customer()
    client.login(username=finance.username, password=PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:runs"), {"as_of": AS_OF.isoformat()},
                               follow=True)

    assert response.status_code == 200
    assert "queued; it starts when a worker is available" in response.content.decode()
    run = InvoiceRun.objects.get()
    assert run.state == RunState.PENDING
    [message] = OutboxMessage.objects.all()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert outbox.backlog() == 1

    broker_down()  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.relay() == 1

    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and Invoice.objects.count() == 1
    assert outbox.backlog() == 0 and ServiceBeat.objects.filter(name="beat").exists()
    assert outbox.relay() == 0  # sent once


def test_dunning_with_the_broker_down_keeps_its_chunks_for_the_relay(
        broker_down, finance, django_capture_on_commit_callbacks):
    issued_invoice(on=date(2026, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_dunning(by=finance, on=date(2026, 11, 1))

    assert run.state == DunningRunState.RUNNING and outbox.backlog() == 1
    broker_down()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.relay()

    run.refresh_from_db()
    assert run.state == DunningRunState.COMPLETED and run.steps_taken == 1


def test_a_contract_sent_for_signature_with_the_broker_down_is_emailed_by_the_relay(
        monkeypatch, sales_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = draft_contract(sales_rep)  # its quote's email went while the broker was up
    point_broker_at(monkeypatch, CLOSED_PORT)

    with django_capture_on_commit_callbacks(execute=True):
        contract = send_for_signature(contract=draft, by=sales_rep, on=ON)

    assert contract.state == ContractState.OUT_FOR_SIGNATURE and outbox.backlog() == 1
    app.conf.task_always_eager = True  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.relay() == 1

    [email] = [m for m in mail.outbox if contract.number in m.subject]
    assert "/portal/contracts/" in email.body
