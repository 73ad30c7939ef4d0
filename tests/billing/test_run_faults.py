"""Invoice runs under faults (red team 2026-12, findings 6, 7 and 11): a chunk delivered twice
bills nothing twice, a second run over the same accounts is refused with a reason (also when
two start at the same moment, on PostgreSQL), a stalled run says so and resumes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from billing import tasks
from billing.models import Invoice, InvoiceRun, InvoiceRunChunk, RunState
from billing.services.runs import create_invoice_run, run_invoice_run
from core import outbox
from tests.billing.test_runs import AS_OF, customer
from tests.conftest import PASSWORD, reseed_migration_data
from tests.payments.test_concurrency import race


def started(finance, capture, **filters):
    """A run started with its chunk messages never delivered (captured, not run)."""
    with capture(execute=False):
        run = create_invoice_run(by=finance, as_of=AS_OF, **filters)
    with capture(execute=False):
        run_invoice_run(run=run, by=finance)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_a_chunk_delivered_twice_bills_once_and_the_run_waits_for_every_chunk(
        finance, django_capture_on_commit_callbacks):
    accounts = [customer() for _ in range(2)]
    run = started(finance, django_capture_on_commit_callbacks, chunk_size=1)
    first, second = InvoiceRunChunk.objects.filter(run=run).order_by("sequence")

    tasks.run_invoice_chunk_task(first.pk)
    tasks.run_invoice_chunk_task(first.pk)  # redelivered

    run.refresh_from_db()
    assert list(Invoice.objects.values_list("account_id", flat=True)) == [accounts[0].pk]
    assert run.state == RunState.RUNNING
    tasks.run_invoice_chunk_task(second.pk)
    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and Invoice.objects.count() == 2


@pytest.mark.django_db
def test_a_second_run_over_the_same_accounts_is_refused_until_the_first_is_done(
        finance, django_capture_on_commit_callbacks):
    customer()
    first = started(finance, django_capture_on_commit_callbacks, currency="USD")

    with pytest.raises(ValidationError, match=f"Invoice run {first.pk} is still running"):
        create_invoice_run(by=finance, as_of=AS_OF)
    with pytest.raises(ValidationError):
        create_invoice_run(by=finance, as_of=AS_OF, currency="USD", bill_day=1)
    other = create_invoice_run(by=finance, as_of=AS_OF, currency="EUR")  # no common account
    assert other.state == RunState.PENDING


@pytest.mark.django_db
def test_the_runs_page_refuses_an_overlapping_run_with_a_message(
        client, finance, django_capture_on_commit_callbacks):
    customer()
    first = started(finance, django_capture_on_commit_callbacks)
    client.login(username=finance.username, password=PASSWORD)

    response = client.post(reverse("billing:runs"), {"as_of": AS_OF.isoformat()})

    assert response.status_code == 200
    assert f"Invoice run {first.pk} is still running" in response.content.decode()
    assert InvoiceRun.objects.count() == 1


@pytest.mark.django_db
def test_a_stalled_run_says_so_and_resume_finishes_it(
        client, finance, django_capture_on_commit_callbacks):
    customer()
    run = started(finance, django_capture_on_commit_callbacks)
    InvoiceRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=30))
    client.login(username=finance.username, password=PASSWORD)

    page = client.get(reverse("billing:run", args=[run.pk])).content.decode()
    assert "Stalled" in page and "Resume the run" in page
    assert "Stalled" in client.get(reverse("billing:runs")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:run_resume", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and Invoice.objects.count() == 1
    page = client.get(reverse("billing:run", args=[run.pk])).content.decode()
    assert "Stalled" not in page


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_one_is_refused_cleanly(finance, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL; SQLite serialises writers "
                    "(reason printed by -ra)")
    reseed_migration_data()
    customer()
    monkeypatch.setattr(outbox, "send", lambda ids=None: 0)  # no worker: both stay pending

    results = race(lambda: create_invoice_run(by=finance, as_of=AS_OF),
                   lambda: create_invoice_run(by=finance, as_of=date(2026, 12, 2)))

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "is still" in refused[0].messages[0]
    assert InvoiceRun.objects.count() == 1
