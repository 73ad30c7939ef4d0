"""Billing's layout holds (issue #22): one permission check, one views package, one URL module,
one task module, and credit notes split into pure maths, selectors and the verb."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _functions(path: Path) -> set[str]:
    return {node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef)}


def test_services_check_permissions_only_through_core_actors_require():
    copies = [f"{path.relative_to(ROOT)}: {name}"
              for app in ("billing", "customers")
              for path in sorted((ROOT / app / "services").glob("*.py"))
              for name in _functions(path)
              if name.lstrip("_").startswith("require")]
    assert copies == []


def test_the_credit_maths_is_pure():
    imported = _imports(ROOT / "billing" / "crediting.py")
    orm = sorted(n for n in imported if n.startswith(("django.db", "billing.models",
                                                      "billing.services", "billing.selectors")))
    assert orm == []


def test_the_credit_note_services_hold_the_verbs_only():
    defined = _functions(ROOT / "billing" / "services" / "credit_notes.py")
    reads = {"lines_left_of", "lines_left", "rooms_left", "room_left", "credited_of",
             "credit_notes_visible_to", "credit_note_for_detail", "search_credit_notes"}
    maths = {"credit_by_lines", "credit_whole", "credit_amount", "split_settlement",
             "credit_entry"}
    assert defined & (reads | maths) == set()


def test_one_views_package_and_one_task_module():
    billing = ROOT / "billing"
    assert (billing / "views" / "__init__.py").exists()
    assert not (billing / "views.py").exists()
    assert not (billing / "document_views").exists()
    assert not (billing / "document_tasks.py").exists()


def test_the_document_tasks_are_billings_tasks():
    from billing import tasks

    for name in ("deliver_invoice_task", "deliver_credit_note_task",
                 "deliver_pending_documents_task", "run_invoice_run_task"):
        assert getattr(tasks, name).name == f"billing.tasks.{name}"


@pytest.mark.parametrize("name,kwargs,path", [
    ("billing:invoices", {}, "/billing/invoices/"),
    ("billing:line_remove", {"pk": 1, "line_pk": 2}, "/billing/invoices/1/lines/2/remove/"),
    ("billing_documents:credit_note_create", {"pk": 3}, "/billing/invoices/3/credit-note/"),
    ("billing_documents:oss_report", {}, "/billing/oss-report/"),
])
def test_url_names_and_paths_are_unchanged(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
