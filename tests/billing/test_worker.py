"""An invoice run through a real broker: a `celery worker` subprocess on a queue of this test's
own, pointed at the test database, starts the run and bills it chunk by chunk (the chunk tasks
it queues go to the same queue)."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from billing.models import Invoice, InvoiceRun, RunState
from q2c.celery import app
from tests.billing.factories import active_contract
from tests.conftest import reseed_migration_data
from tests.customers.factories import AccountFactory

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")


def database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_an_invoice_run_in_several_chunks(finance):
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL: a worker process cannot share an "
                    "in-memory SQLite test database")
    if not BROKER:
        pytest.skip("the worker test needs CELERY_BROKER_URL (Redis), as .ci/run sets it")
    reseed_migration_data()
    # given five accounts with a subscription, and a run of two accounts per chunk
    accounts = [AccountFactory(bill_day=1) for _ in range(5)]
    for account in accounts:
        active_contract(account=account, start_on=date(2026, 11, 1),
                        end_on=date(2027, 10, 31), lines=[{"amount": "100.00"}])
    run = InvoiceRun.objects.create(as_of=date(2026, 11, 23), created_by=finance, chunk_size=2)
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-billing-worker-test-{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": BROKER,
           "CELERY_QUEUE": queue, "DJANGO_SETTINGS_MODULE": "q2c.settings",
           "DB_CONN_MAX_AGE": "0"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "q2c", "worker", "--pool=solo",
         f"--queues={queue}", "--loglevel=warning", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # when the run task is sent to the broker
    try:
        with app.connection_for_write(BROKER) as conn:
            app.send_task("billing.tasks.run_invoice_run_task", args=[run.pk], queue=queue,
                          connection=conn)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            run.refresh_from_db()
            if run.state in (RunState.COMPLETED, RunState.FAILED):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    # then the worker billed every account once, in three chunks
    assert run.state == RunState.COMPLETED, output
    assert run.chunks.count() == 3 and not run.chunks.filter(finished_at__isnull=True).exists()
    assert sorted(Invoice.objects.values_list("account_id", flat=True)) == sorted(
        a.pk for a in accounts)
