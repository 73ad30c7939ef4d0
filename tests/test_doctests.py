"""Every worked example written in an app module's docstrings runs here, so an example that
drifts from the code fails the suite (the modules are found, not listed: a new pure module with
examples is covered without touching this file)."""

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "bench", "migrations", ".venv", "node_modules", "static", "templates"}


def _modules_with_examples() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if SKIP_DIRS.intersection(parts) or len(parts) < 2:
            continue
        if ">>> " in path.read_text(encoding="utf-8"):
            found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


MODULES = _modules_with_examples()


def test_the_modules_with_examples_are_found():
    assert {"catalog.proration", "payments.due_position", "contracts.uplift"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_the_worked_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has '>>> ' but no example doctest can find"
    assert result.failed == 0
