"""Django for a benchmark: the PostgreSQL database of DATABASE_URL (created when missing),
migrated, with tasks run in this process (one worker: a run's chunks are taken in turn here),
and the test client allowed to call pages."""

import os

from bench.reference import ensure_database, postgres_dsn


def setup_django(**environ: str) -> None:
    """`environ` sets further settings variables first (e.g. MEDIA_ROOT)."""
    ensure_database(postgres_dsn())
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
