"""The floors hold: an app imports only apps on lower floors (docs/ARCHITECTURE.md §2), with
no exception, so the apps' import graph has no upward arrow and no cycle.

The maths an earlier stage must run exactly as a later one will (the quote's deal desk
previewing the due dates billing will set and the revenue recognition will post) lives on the
catalog floor as pure modules (plain values in and out, no ORM), importing nothing but the
standard library, `core`'s pure helpers and each other, which this test checks too. Run as a
test, so a new upward import fails the suite instead of waiting for the next review."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ["core", "notifications", "customers", "ledger", "catalog", "quotes", "contracts",
          "orders", "billing", "payments", "revrec", "analytics", "webhooks", "operations", "q2c"]
SHARED_PURE = {"catalog.due_schedule", "catalog.revenue_schedule", "catalog.obligations",
               "catalog.allocation"}
PURE_MAY_IMPORT = {"core.money", "core.dates"} | SHARED_PURE
SKIP_DIRS = {"migrations", "tests", "bench", "management"}


def _modules():
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
                yield app, ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _target(name: str) -> str | None:
    app = name.split(".")[0]
    return app if app in FLOORS else None


def test_no_app_imports_an_app_on_a_higher_floor():
    upward = []
    for app, module, path in _modules():
        for name in _imports(path):
            target = _target(name)
            if target is None or FLOORS.index(target) <= FLOORS.index(app):
                continue
            upward.append(f"{module} imports {name}")
    assert upward == []


def test_the_shared_pure_modules_import_only_pure_code():
    for _app, module, path in _modules():
        if module not in SHARED_PURE:
            continue
        for name in _imports(path):
            if _target(name) is None:
                continue
            owner = ".".join(name.split(".")[:2])
            assert owner in PURE_MAY_IMPORT, f"{module} imports {name}"
