"""A real `celery worker` subprocess, for the few tests that go through the broker: on a queue
of the test's own, pointed at the test database (PostgreSQL: a worker process cannot share an
in-memory SQLite database), with the broker .ci/run sets."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from q2c.celery import app

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("CELERY_BROKER_URL", "")


def require_a_worker() -> None:
    """Skip, saying why, where a worker cannot run."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL: a worker process cannot share an "
                    "in-memory SQLite test database")
    if not BROKER:
        pytest.skip("the worker test needs CELERY_BROKER_URL (Redis), as .ci/run sets it")


def _database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def run_in_worker(task: str, *, args=(), done: Callable[[], bool], seconds: int = 60,
                  name: str = "worker", kill: bool = False) -> str:
    """Start a worker on a queue of its own (the tasks it queues go there too), send it `task`,
    wait until `done()` or the time is up; return the worker's output for assertions. With
    `kill` the worker gets SIGKILL the moment `done()` holds: a worker dying mid-run, its
    message unacknowledged and its other messages left in the queue (same `name`, same queue)."""
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{name}-test-{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": BROKER,
           "CELERY_QUEUE": queue, "DJANGO_SETTINGS_MODULE": "q2c.settings",
           "DB_CONN_MAX_AGE": "0"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "q2c", "worker", "--pool=solo",
         f"--queues={queue}", "--loglevel=warning", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        with app.connection_for_write(BROKER) as conn:
            app.send_task(task, args=list(args), queue=queue, connection=conn)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and worker.poll() is None and not done():
            time.sleep(0.05 if kill else 0.5)
    finally:
        worker.kill() if kill else worker.terminate()
        output = worker.communicate(timeout=30)[0]
    return output


def point_broker_at(monkeypatch, url: str) -> None:
    """Send this process's tasks to `url` (not eagerly) for the test. Celery reads the
    CELERY_BROKER_URL variable before its settings, so both change; pools are made anew."""
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(app.conf, "broker_url", url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
