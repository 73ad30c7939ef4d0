"""The one test that goes through a real broker: a `celery worker` subprocess on a queue of this
run's own, pointed at the test database, takes a task and does its work."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from q2c.celery import app
from quotes.models import QuoteState
from tests.conftest import reseed_migration_data
from tests.quotes.sent_quotes import approved_quote

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")


def database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_a_task_from_the_broker_and_does_its_work(sales_rep):
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL: a worker process cannot share an "
                    "in-memory SQLite test database")
    if not BROKER:
        pytest.skip("the worker test needs CELERY_BROKER_URL (Redis), as .ci/run sets it")
    reseed_migration_data()
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-worker-test-{os.getpid()}"
    quote = approved_quote(owner=sales_rep, expires_on=date(2020, 1, 31))
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": BROKER,
           "DJANGO_SETTINGS_MODULE": "q2c.settings", "DB_CONN_MAX_AGE": "0"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "q2c", "worker", "--pool=solo",
         f"--queues={queue}", "--loglevel=warning", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        with app.connection_for_write(BROKER) as conn:
            app.send_task("quotes.tasks.expire_due_quotes_task", queue=queue, connection=conn)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            quote.refresh_from_db()
            if quote.state == QuoteState.EXPIRED:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]

    assert quote.state == QuoteState.EXPIRED, output
