"""The product's clock (issue 22: the demo without a faked clock at run time).

Every timestamp the product writes comes from `core.clock.now()`; only a replay of history
(`seed_demo`) moves it, for its own context, without touching the interpreter's clock."""

import ast
import threading
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core import clock
from core.dates import business_date
from core.models import TransitionLog
from customers.models import Account
from tests.customers.factories import AccountFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ["analytics", "billing", "catalog", "contracts", "core", "customers", "ledger",
        "notifications", "operations", "orders", "payments", "q2c", "quotes", "revrec",
        "webhooks"]
REPLAYED = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)


def app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_outside_a_replay_the_clock_is_the_wall_clock():
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)


def test_a_replay_moves_now_today_and_the_business_date_for_its_context_only():
    with clock.replaying(REPLAYED):
        assert clock.now() == REPLAYED
        assert clock.today() == date(2025, 3, 14)
        assert business_date() == date(2025, 3, 14)
        seen = []
        other = threading.Thread(target=lambda: seen.append(clock.now()))
        other.start()
        other.join()
        assert seen[0] != REPLAYED  # a request or worker beside the replay keeps real time
        assert datetime.now(UTC) != REPLAYED  # the interpreter's clock never moved
    assert clock.now() != REPLAYED


def test_a_replay_needs_an_aware_moment():
    with pytest.raises(ValueError, match="aware"), clock.replaying(datetime(2025, 3, 14, 10)):
        pass


@pytest.mark.django_db
def test_rows_history_and_events_written_in_a_replay_carry_its_moment(finance):
    from customers.models import AccountStatus
    from customers.services.accounts import update_account

    account = AccountFactory(status=AccountStatus.PROSPECT)
    assert account.created_at.year == 2026
    with clock.replaying(REPLAYED):
        replayed = AccountFactory()
        update_account(account=account, by=finance, status=AccountStatus.ACTIVE)
    assert Account.objects.get(pk=replayed.pk).created_at == REPLAYED
    changed = Account.objects.get(pk=account.pk)
    assert (changed.created_at.year, changed.updated_at) == (2026, REPLAYED)
    entry = TransitionLog.objects.get(object_id=account.pk, transition="activate")
    assert (entry.created_at, entry.business_date) == (REPLAYED, date(2025, 3, 14))


def test_no_app_module_reads_djangos_clock_or_stamps_by_itself():
    """`timezone.now()`, `timezone.localdate()` and `auto_now` bypass the product's clock, so
    a replayed business day would be stamped today."""
    found = []
    for path in app_modules():
        if path == ROOT / "core" / "clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Attribute) and node.attr in {"now", "localdate"}
                    and isinstance(node.value, ast.Name) and node.value.id == "timezone"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} timezone.{node.attr}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "DateTimeField"
                    and any(k.arg in {"auto_now", "auto_now_add"} for k in node.keywords)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} DateTimeField(auto_now)")
    assert found == []


def test_time_machine_and_test_utilities_stay_out_of_the_runtime():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("time-machine") for dep in project["dependencies"])
    assert any(dep.startswith("time-machine") for dep in project["optional-dependencies"]["dev"])
    for path in app_modules():
        text = path.read_text()
        assert "time_machine" not in text, path
        assert "override_settings" not in text, path
