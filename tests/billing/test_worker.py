"""An invoice run through a real broker: a `celery worker` subprocess on a queue of this test's
own, pointed at the test database, starts the run and bills it chunk by chunk (the chunk tasks
it queues go to the same queue)."""

from datetime import date

import pytest

from billing.models import Invoice, InvoiceRun, RunState
from tests.billing.factories import active_contract
from tests.celery_worker import require_a_worker, run_in_worker
from tests.conftest import reseed_migration_data
from tests.customers.factories import AccountFactory


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_an_invoice_run_in_several_chunks(finance):
    require_a_worker()
    reseed_migration_data()
    # given five accounts with a subscription, and a run of two accounts per chunk
    accounts = [AccountFactory(bill_day=1) for _ in range(5)]
    for account in accounts:
        active_contract(account=account, start_on=date(2026, 11, 1),
                        end_on=date(2027, 10, 31), lines=[{"amount": "100.00"}])
    run = InvoiceRun.objects.create(as_of=date(2026, 11, 23), created_by=finance, chunk_size=2)

    def finished():
        run.refresh_from_db()
        return run.state in (RunState.COMPLETED, RunState.FAILED)

    # when the run task is sent to the broker
    output = run_in_worker("billing.tasks.run_invoice_run_task", args=[run.pk], done=finished,
                           seconds=90, name="billing-worker")

    # then the worker billed every account once, in three chunks
    assert run.state == RunState.COMPLETED, output
    assert run.chunks.count() == 3 and not run.chunks.filter(finished_at__isnull=True).exists()
    assert sorted(Invoice.objects.values_list("account_id", flat=True)) == sorted(
        a.pk for a in accounts)
