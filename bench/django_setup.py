"""Django for a benchmark: a PostgreSQL database of its own (created when missing), migrated,
with tasks run in this process (one worker: a run's chunks are taken in turn here), and the test
client allowed to call pages."""

import os
import sys
from pathlib import Path

from bench.reference import ensure_database, postgres_dsn


def own_database(dsn: str, script: str) -> str:
    """The benchmark's own database beside DATABASE_URL's: `q2c_bench` run by
    `bench_billing.py` is `q2c_bench_billing`. One benchmark's rows never weigh on another's
    figures, nor stop its clean-up, so `make bench` runs twice on the same server.

    >>> own_database("postgres://postgres@127.0.0.1:5432/q2c_bench", "bench/bench_revrec.py")
    'postgres://postgres@127.0.0.1:5432/q2c_bench_revrec'
    """
    base, _, name = dsn.rpartition("/")
    return f"{base}/{name}_{Path(script).stem.removeprefix('bench_')}"


def setup_django(**environ: str) -> None:
    """`environ` sets further settings variables first (e.g. MEDIA_ROOT). DATABASE_URL is
    pointed at the running script's own database, so its workers and `copy_rate` use it too."""
    dsn = own_database(postgres_dsn(), sys.modules["__main__"].__file__)
    ensure_database(dsn)
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "q2c.settings")
    os.environ.setdefault("DEBUG", "1")  # a developer's run: settings default to DEBUG off
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(environ)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
