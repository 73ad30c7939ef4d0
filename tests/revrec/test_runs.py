"""Recognition runs at the edges: a chunk's queries do not grow with its revenue contracts, a
failed chunk fails the run and a restart resumes it without posting twice, and the system user
runs the periodic task."""

from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts import services as contract_services
from ledger import chart
from ledger.selectors import trial_balance
from revrec import tasks
from revrec.models import RecognitionItem, RecognitionRun, RunState
from revrec.services import create_revenue_contracts, start_recognition_run
from tests.contracts.factories import countersigned_contract
from tests.revrec.factories import active_contract, revenue_contract_of, system

pytestmark = pytest.mark.django_db

DEC, JAN, FEB = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)


def revenue():
    return next((r.balance for r in trial_balance().rows if r.code == chart.REVENUE), 0)


def test_a_chunk_costs_the_same_queries_for_one_or_three_contracts(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    # given: one contract from December (its first run warms the caches), two from February
    revenue_contract_of(active_contract(sales_rep, by=finance))
    later = [countersigned_contract(sales_rep, by=finance, start_on=FEB) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=date(2027, 1, 2))

    with CaptureQueriesContext(connection) as one, \
            django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=JAN, by=accountant, on=date(2027, 2, 2))
    for contract in later:
        contract_services.activate(contract=contract, by=finance, on=FEB)
    create_revenue_contracts(by=system(), on=FEB)
    with CaptureQueriesContext(connection) as three, \
            django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=FEB, by=accountant, on=date(2027, 3, 2))

    assert RecognitionItem.objects.filter(month=FEB).count() == 3
    assert len(three) == len(one)


def test_a_failed_chunk_fails_the_run_and_a_restart_resumes_it(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    revenue_contract_of(active_contract(sales_rep, by=finance))
    broken = mock.patch("revrec.services.recognition._previous_positions",
                        side_effect=RuntimeError("database went away"))

    with broken, pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=date(2027, 1, 2))
    run = RecognitionRun.objects.get(month=DEC)
    assert run.state == RunState.FAILED and "database went away" in run.error
    assert revenue() == 0 and not RecognitionItem.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=date(2027, 1, 2))

    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and RecognitionItem.objects.count() == 1
    assert [h.transition for h in run_history(run)] == ["start", "fail", "start", "complete"]


def run_history(run):
    from core.transitions import history_for

    return history_for(run)


def test_the_periodic_task_gives_new_contracts_their_revenue_contract(sales_rep, finance):
    active_contract(sales_rep, by=finance)

    assert tasks.create_revenue_contracts_task() == 1
    assert tasks.create_revenue_contracts_task() == 0
