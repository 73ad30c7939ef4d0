"""Invoice run chunks drafted by two workers at once (issue 23): a chunk's transaction locks its
own chunk row, never the run's, so a second worker drafts its chunk meanwhile instead of
waiting for the first to commit (the run row locked by every chunk made two workers draft no
faster than one). PostgreSQL only: SQLite serialises writers."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection

from billing.models import Invoice, InvoiceRunChunk, RunState
from billing.services import issuing, runs
from core import outbox
from tests.billing.test_run_faults import started
from tests.billing.test_runs import AS_OF, customer
from tests.conftest import reseed_migration_data

TWO_CONNECTIONS = pytest.mark.postgres("two connections at once; SQLite serialises writers")


def _two_chunks(finance, monkeypatch, capture):
    """Two customers and a started run of one chunk each (its tasks run here, no worker)."""
    reseed_migration_data()
    monkeypatch.setattr(outbox, "send", lambda ids=None: 0)
    accounts = [customer() for _ in range(2)]
    run = started(finance, capture, chunk_size=1)
    first, second = InvoiceRunChunk.objects.filter(run=run).order_by("sequence")
    return accounts, first, second


@contextmanager
def _first_held_at(monkeypatch, module, name: str, first_chunk):
    """`first_chunk()` run by a worker thread that stops at its first call of `module.name`, its
    transaction open, for the length of the block; meanwhile this connection waits at most 3 s
    on any lock (so waiting on the first chunk's fails the test). The first chunk then goes on
    and must finish without an error."""
    inside, release, errors = threading.Event(), threading.Event(), []
    original = getattr(module, name)

    def held(*args, **kwargs):
        if not inside.is_set():
            inside.set()
            release.wait(20)
        return original(*args, **kwargs)

    def first_worker():
        try:
            first_chunk()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(module, name, held)
    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert inside.wait(20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        yield
    finally:
        release.set()
        worker.join(30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not errors


@TWO_CONNECTIONS
@pytest.mark.django_db(transaction=True)
def test_two_chunks_draft_at_once_without_waiting_for_each_other(
        finance, monkeypatch, django_capture_on_commit_callbacks):
    accounts, first, second = _two_chunks(finance, monkeypatch,
                                          django_capture_on_commit_callbacks)
    # the first chunk stops half-way through drafting
    with _first_held_at(monkeypatch, runs, "write_drafts",
                        lambda: runs.run_invoice_chunk(chunk=first.pk, by=finance)):
        runs.run_invoice_chunk(chunk=second.pk, by=finance)
        second.refresh_from_db()
        assert second.finished_at is not None and second.invoice_count == 1
        first.refresh_from_db()
        assert first.finished_at is None  # the first is still drafting
    run = first.run
    run.refresh_from_db()
    assert run.state == RunState.COMPLETED
    assert sorted(Invoice.objects.values_list("account_id", flat=True)) == sorted(
        a.pk for a in accounts)


@pytest.mark.django_db
def test_a_chunk_costs_the_same_queries_whatever_its_size(
        finance, django_capture_on_commit_callbacks):
    """Drafting is set-based: a chunk of six accounts makes no more queries than one of two
    (none per invoice, line, record or tax total)."""
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 6):
        accounts = [customer() for _ in range(size)]
        run = started(finance, django_capture_on_commit_callbacks, chunk_size=size,
                      accounts=accounts)
        chunk = InvoiceRunChunk.objects.get(run=run)
        with CaptureQueriesContext(connection) as queries:
            runs.run_invoice_chunk(chunk=chunk.pk, by=finance)
        assert Invoice.objects.filter(run=run).count() == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@TWO_CONNECTIONS
@pytest.mark.django_db(transaction=True)
def test_a_chunk_issues_while_another_prepares_and_the_numbers_stay_gapless(
        finance, monkeypatch, django_capture_on_commit_callbacks):
    """Issuing locks the year's number series (and the ledger's) only in its numbered tail, the
    last statements before the commit: a chunk still computing its due schedules and events
    holds no lock another chunk's issue waits for (the series locked from the numbers to the
    commit made two workers issue no faster than 1.26x one, issue 23)."""
    accounts, first, second = _two_chunks(finance, monkeypatch,
                                          django_capture_on_commit_callbacks)
    for chunk in (first, second):
        runs.run_invoice_chunk(chunk=chunk.pk, by=finance)
    # the first chunk stops before its numbers
    with _first_held_at(monkeypatch, issuing, "record_events",
                        lambda: issuing.issue_run_chunk(chunk=first, by=finance, on=AS_OF)):
        assert issuing.issue_run_chunk(chunk=second, by=finance, on=AS_OF) == 1
    numbers = dict(Invoice.objects.values_list("account_id", "number"))
    assert numbers == {accounts[1].pk: "INV-2026-000001", accounts[0].pk: "INV-2026-000002"}
