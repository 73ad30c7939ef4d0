"""Role users shared by every test: two reps in two teams, so a missing filter shows."""

import importlib
import io
import os
from datetime import UTC, datetime

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from hypothesis import HealthCheck, settings

from core.roles import Role, assign_role

# Playwright's sync API runs an event loop in the test thread next to live_server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _postgres_flush_deletes_rows():
    """A transactional test (e2e, live server, row locks) ends with a flush. On PostgreSQL
    Django flushes with one TRUNCATE of all ~150 tables: a new file for each table, about 6 s
    a test here (3.8 s the TRUNCATE, 2 s its commit). The tests leave a few rows behind, so
    DELETE FROM each table (the foreign keys deferred to the commit, as Django makes them)
    empties the same tables in about 0.1 s, as Django's SQLite backend always does. Sequences
    are not reset either way; a flush that resets them or cascades (available_apps) still
    truncates."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no psycopg: SQLite only
        return
    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "deletes_rows", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} "
            f"{style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    sql_flush.deletes_rows = True
    DatabaseOperations.sql_flush = sql_flush


_postgres_flush_deletes_rows()


@receiver(connection_created)
def _commits_do_not_wait_for_the_disk(sender, connection, **kwargs):
    """A test database need not survive a crash: on PostgreSQL a commit returns before its
    WAL reaches the disk (about 40 ms a commit on this shared machine). Locks, isolation and
    what other connections see are unchanged."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PASSWORD = "demo-pass-123"
# Tests speak of literal dates (quotes valid to 2026-12-31, periods of 2026), so the clock
# starts on this business day in every test and ticks on from there.
TEST_DAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def pytest_runtest_setup(item):
    """`@pytest.mark.postgres("why")`: the test runs on PostgreSQL (CI) and says why it skips
    elsewhere (printed by -ra)."""
    marker = item.get_closest_marker("postgres")
    if marker is not None:
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip(f"needs PostgreSQL: {marker.args[0] if marker.args else 'row locks'}")


@pytest.fixture(autouse=True)
def business_clock(time_machine):
    time_machine.move_to(TEST_DAY, tick=True)


@pytest.fixture(autouse=True)
def joinable_task_results():
    """Celery's eager `apply_async` marks "joining a result would block" in a process-wide flag
    and puts back what it found when it ends. Two live-server threads running eager tasks at
    once can leave the mark set (the second puts back the first's mark), and every later
    `.delay().get()` in the process is then refused ("Never call result.get() within a task"),
    as three payments tests were after a browser test. Each test starts unmarked."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def pdf_layout(request, monkeypatch):
    """WeasyPrint lays out a two-page quote or contract in about 0.15 s, and a test that
    reaches an order, an invoice or revenue sends a quote and a contract on the way: that was a
    third of the suite. Such a test still renders each document's template (a template error
    fails it) but stores a one-page blank PDF. Tests marked `real_pdf` (every test module that
    reads, sends or checks a PDF) get WeasyPrint's."""
    if request.node.get_closest_marker("real_pdf") is None and not os.environ.get("REAL_PDF"):
        monkeypatch.setattr("core.pdf.html_to_pdf", _blank_pdf)


def _blank_pdf(html: str, *, variant: str | None = None) -> bytes:
    return BLANK_PDF


def _one_blank_page() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    writer.write(out)
    return out.getvalue()


BLANK_PDF = _one_blank_page()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts at the same business moment, so cached counts (sign-in failures)
    would never expire between tests: each test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()


def make_user(username, *roles, manager=None, first_name=""):
    from customers.models import ReportingLine

    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com",
        first_name=first_name or username.replace("_", " ").title(),
    )
    for role in roles:
        assign_role(user, role)
    if manager is not None:
        ReportingLine.objects.create(user=user, manager=manager)
    return user


@pytest.fixture
def sales_manager(db):
    return make_user("manager_a", Role.SALES_MANAGER)


@pytest.fixture
def sales_rep(db, sales_manager):
    return make_user("rep_a", Role.SALES_REP, manager=sales_manager)


@pytest.fixture
def teammate_rep(db, sales_manager):
    return make_user("rep_a2", Role.SALES_REP, manager=sales_manager)


@pytest.fixture
def other_manager(db):
    return make_user("manager_b", Role.SALES_MANAGER)


@pytest.fixture
def other_rep(db, other_manager):
    """A rep in the other team: what they own must never leak to team A."""
    return make_user("rep_b", Role.SALES_REP, manager=other_manager)


@pytest.fixture
def finance(db):
    return make_user("finance", Role.FINANCE)


@pytest.fixture
def accountant(db):
    return make_user("accountant", Role.ACCOUNTANT)


@pytest.fixture
def catalog_admin(db):
    return make_user("catalog", Role.CATALOG_ADMIN)


@pytest.fixture
def role_users(sales_rep, sales_manager, finance, accountant, catalog_admin):
    return {
        "sales_rep": sales_rep, "sales_manager": sales_manager, "finance": finance,
        "accountant": accountant, "catalog_admin": catalog_admin,
    }


SEEDED_BY_MIGRATIONS = [  # idempotent data migrations: module, function
    ("customers.migrations.0002_seed_payment_terms", "seed_terms"),
    ("quotes.migrations.0003_default_approval_rules", "seed"),
    ("ledger.migrations.0002_default_chart", "seed_chart"),
    ("ledger.migrations.0003_opening_balances_account", "add_account"),
    ("ledger.migrations.0009_accounts_for_returns_fees_interest_rounding", "add_accounts"),
    ("revrec.migrations.0016_goods_returns", "add_inventory"),
    ("payments.migrations.0010_clearing_rule_germany", "seed"),
    ("payments.migrations.0002_default_dunning_policy", "seed"),
    ("payments.migrations.0015_german_dunning_texts", "seed"),
]


@receiver(post_migrate, dispatch_uid="tests.reseed_after_flush")
def _reseed_after_flush(sender, using="default", **kwargs):
    """The flush that ends a transactional test emits post_migrate (once per app): after the
    last app's, put back what the data migrations seed. So every test, transactional or not,
    in any order and on a --reuse-db database, starts with the payment terms, approval rules,
    chart of accounts and dunning policy the migrations made; before, a transactional test
    that forgot `reseed_migration_data()` passed or failed by the order the tests ran in
    (tests/api/test_usage.py's concurrent batches after tests/orders), and a --reuse-db run
    after a transactional test started without them."""
    if sender is list(django_apps.get_app_configs())[-1] and using == "default":
        reseed_migration_data()


def reseed_migration_data():
    """A transactional test before this one flushed what migrations seed (payment terms,
    approval rules, the chart of accounts, the dunning policy; serialized_rollback clashes with
    the role groups that flush recreates); put them back."""
    for module, function in SEEDED_BY_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.hookimpl(optionalhook=True)  # no such hook under -p no:xdist
def pytest_xdist_make_scheduler(config, log):
    """`pytest -n 2` (make test) hands out tests by work stealing instead of xdist's `load`:
    each worker starts on a contiguous half of the suite (a module's tests and its module-
    scoped set-ups stay together) and an idle worker takes the not yet started tests off the
    end of the other's queue, so a run of slow tests (the browser journeys, the fuzzers)
    queued to one worker near the end no longer leaves the other waiting. An explicit
    `--dist` is obeyed."""
    if config.getvalue("dist") != "load" or any(
            arg == "-d" or arg.startswith("--dist") for arg in config.invocation_params.args):
        return None
    from xdist.scheduler import WorkStealingScheduling

    return WorkStealingScheduling(config, log)
