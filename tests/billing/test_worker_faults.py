"""A worker killed (SIGKILL) in the middle of an invoice run, then the run resumed by a new
worker through the broker: every account billed once, the run completed (red team 2026-12,
finding 7). Needs PostgreSQL and Redis, as .ci/run gives; skipped with the reason elsewhere."""

from datetime import date

import pytest

from billing.models import Invoice, InvoiceRun, RunState
from core.transitions import history_for
from tests.billing.factories import active_contract
from tests.celery_worker import require_a_worker, run_in_worker
from tests.conftest import reseed_migration_data
from tests.customers.factories import AccountFactory

ACCOUNTS = 30  # one per chunk: enough chunks that the kill lands mid-run


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_then_resumed_bills_every_account_once(finance):
    require_a_worker()
    reseed_migration_data()
    accounts = [AccountFactory(bill_day=1) for _ in range(ACCOUNTS)]
    for account in accounts:
        active_contract(account=account, start_on=date(2026, 11, 1),
                        end_on=date(2027, 10, 31), lines=[{"amount": "100.00"}])
    run = InvoiceRun.objects.create(as_of=date(2026, 11, 23), created_by=finance, chunk_size=1)

    def chunks_done() -> int:
        return run.chunks.filter(finished_at__isnull=False).count()

    # when the worker dies as soon as it has finished a chunk
    run_in_worker("billing.tasks.run_invoice_run_task", args=[run.pk], seconds=90,
                  done=lambda: chunks_done() > 0, name="killed-worker", kill=True)
    run.refresh_from_db()
    assert run.state == RunState.RUNNING and 0 < chunks_done() < ACCOUNTS

    # then a new worker, sent the run again (Resume), finishes it
    def finished():
        run.refresh_from_db()
        return run.state in (RunState.COMPLETED, RunState.FAILED)

    output = run_in_worker("billing.tasks.run_invoice_run_task", args=[run.pk], seconds=120,
                           done=finished, name="killed-worker")
    assert run.state == RunState.COMPLETED, output
    assert chunks_done() == ACCOUNTS
    billed = list(Invoice.objects.values_list("account_id", flat=True))
    assert sorted(billed) == sorted(a.pk for a in accounts)  # none missing, none twice
    # (resumed, unless the killed message was a chunk already committed: then the queued
    # messages alone finish it)
    assert [h.transition for h in history_for(run)][::len(history_for(run)) - 1] == [
        "start", "complete"]
