"""Recognition runs under at-least-once delivery (red team 2026-12, findings 2 and 7): a chunk
delivered twice changes nothing, the run completes only when no chunk is unfinished, the close
checklist asks the books rather than the run, and a stalled run resumes."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.transitions import history_for
from ledger import chart
from ledger.selectors import trial_balance
from revrec import tasks
from revrec.checklist import close_checklist
from revrec.models import RecognitionChunk, RecognitionItem, RecognitionRun, RunState
from revrec.services import recognition, start_recognition_run
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = pytest.mark.django_db

DEC = date(2026, 12, 1)
JAN_2 = date(2027, 1, 2)


def revenue():
    return next((r.balance for r in trial_balance().rows if r.code == chart.REVENUE), 0)


def recognition_check(month):
    return next(check for check in close_checklist(month) if check.key == "recognition")


@pytest.fixture
def three_chunks(sales_rep, finance, accountant, monkeypatch,
                 django_capture_on_commit_callbacks):
    """A December run over three revenue contracts, one per chunk, whose messages were never
    delivered (captured, not run): the test delivers them."""
    for _ in range(3):
        revenue_contract_of(active_contract(sales_rep, by=finance))
    monkeypatch.setattr(recognition, "CHUNK_SIZE", 1)
    with django_capture_on_commit_callbacks(execute=False):
        run = start_recognition_run(month=DEC, by=accountant, on=JAN_2)
    return run, list(RecognitionChunk.objects.filter(run=run).order_by("sequence"))


def test_a_chunk_delivered_twice_changes_nothing_and_the_run_waits_for_every_chunk(
        three_chunks):
    run, (first, second, third) = three_chunks
    assert tasks.run_recognition_chunk_task(first.pk) == 1
    after_first = revenue()

    assert tasks.run_recognition_chunk_task(first.pk) == 0  # redelivered

    run.refresh_from_db()
    assert revenue() == after_first != 0
    assert RecognitionItem.objects.filter(month=DEC).count() == 1
    assert (run.state, run.chunks_done, run.chunks_total) == (RunState.RUNNING, 1, 3)
    assert not recognition_check(DEC).done
    assert "2 revenue contract(s) not recognized" in recognition_check(DEC).detail

    tasks.run_recognition_chunk_task(second.pk)
    tasks.run_recognition_chunk_task(third.pk)

    run.refresh_from_db()
    assert (run.state, run.chunks_done, run.contracts_done) == (RunState.COMPLETED, 3, 3)
    assert RecognitionItem.objects.filter(month=DEC).count() == 3
    assert recognition_check(DEC).done


def test_a_completed_run_with_contracts_left_keeps_the_checklist_open_until_run_again(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    revenue_contract_of(active_contract(sales_rep, by=finance))
    with django_capture_on_commit_callbacks(execute=True):
        run = start_recognition_run(month=DEC, by=accountant, on=JAN_2)
    assert recognition_check(DEC).done
    # a contract recognizable in December arrives after the run completed
    revenue_contract_of(active_contract(sales_rep, by=finance))
    assert not recognition_check(DEC).done

    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=JAN_2)

    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and run.contracts_done == 2
    assert RecognitionItem.objects.filter(month=DEC).count() == 2
    assert recognition_check(DEC).done
    assert [h.transition for h in history_for(run)] == ["start", "complete", "resume",
                                                        "complete"]


def test_a_stalled_run_shows_as_stalled_and_resume_finishes_it_once(
        three_chunks, accountant, django_capture_on_commit_callbacks):
    run, (first, second, third) = three_chunks
    tasks.run_recognition_chunk_task(first.pk)
    # the worker holding chunks 2 and 3 died twenty minutes ago
    RecognitionRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=20))
    run.refresh_from_db()
    assert run.is_stalled
    assert list(RecognitionRun.objects.filter(RecognitionRun.stalled_filter())) == [run]

    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=JAN_2)
    tasks.run_recognition_chunk_task(second.pk)  # the old message, delivered late

    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and not run.is_stalled
    assert RecognitionItem.objects.filter(month=DEC).count() == 3
    assert [h.transition for h in history_for(run)] == ["start", "resume", "complete"]


def test_the_runs_totals_add_up_chunk_by_chunk_and_a_redelivery_adds_nothing(three_chunks):
    from django.db.models import Sum

    from revrec.models import RecognizedTotal, ScheduleLine

    run, chunks = three_chunks
    for chunk in [*chunks, chunks[0]]:  # the first one delivered again at the end
        tasks.run_recognition_chunk_task(chunk.pk)

    marked = ScheduleLine.objects.filter(run=run).values_list(
        "obligation__family", "obligation__pattern").annotate(total=Sum("amount")).order_by()
    totals = RecognizedTotal.objects.filter(run=run).values_list("family", "pattern", "amount")
    assert sorted((f, p, round(a, 2)) for f, p, a in totals) == sorted(
        (f, p, round(a, 2)) for f, p, a in marked)
    assert len(totals) == len(marked) > 0  # one row per kind, however many chunks added to it
