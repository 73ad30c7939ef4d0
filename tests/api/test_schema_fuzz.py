"""Schemathesis against the API's own OpenAPI schema (`/api/v1/schema/`): every operation is sent
generated requests (valid ones, and invalid ones for the role that may write), on real
documents of every kind, through the Django app itself. No answer is a server error, and every
answer the schema describes (status and media type) has the body the schema says.

Run it alone (about a minute on two busy cores; SQLite, or PostgreSQL with DATABASE_URL):

    /work/main/.venv/bin/python -m pytest -p no:xdist tests/api/test_schema_fuzz.py -q

The run is deterministic (Hypothesis derandomized, no example database), so a failure repeats
with the same request; `FUZZ_EXAMPLES=50` sends more of them per operation when hunting.
"""

import os
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from catalog.models import PriceBook, Product
from core.roles import Role
from ledger import services as ledger
from tests.api.conftest import KeyClient
from tests.conftest import make_user
from tests.contracts.factories import active_contract
from tests.ledger.factories import balanced
from tests.orders.factories import order_for
from tests.payments.factories import account as billed_account
from tests.payments.factories import issued_invoice
from tests.quotes.factories import account_for, draft_quote
from tests.revrec.factories import revenue_contract_of

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance]
ALL_ROLES = (Role.SALES_MANAGER, Role.FINANCE, Role.ACCOUNTANT, Role.CATALOG_ADMIN)


@contextmanager
def one_connection():
    """The WSGI handler closes the database connection after each request; here it must keep
    the test's transaction open, as the test client does (which connects the handler again
    after each of its own requests, so this wraps the WSGI requests only)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def schema(db):
    """The schema as the app serves it, bound to the app."""
    with one_connection():
        yield schemathesis.openapi.from_wsgi(f"{reverse('api:schema')}?format=json",
                                             get_wsgi_application())


@pytest.fixture
def everyone(db):
    """A user holding every business role, the manager of the rep who owns the documents."""
    return make_user("all_roles", *ALL_ROLES)


@pytest.fixture
def documents(everyone, catalog):
    """One real document of each kind the API serves, by the path before its `{id}`."""
    rep = make_user("rep_z", Role.SALES_REP, manager=everyone)
    quote = draft_quote(rep, account=account_for(rep), lines=[("SEAT-USER", 2, "0")])
    invoice = issued_invoice(account_=billed_account(owner=rep), net=D("100.00"))
    credited = issued_invoice(account_=invoice.account, net=D("50.00"))
    contract = active_contract(rep, by=everyone)
    ledger.post_entries([balanced("10.00")], by=everyone)
    api = KeyClient(everyone)
    made = {path: api.post_json(f"{path}/", body).json()["id"] for path, body in [
        ("/api/v1/payments", {"account": invoice.account_id, "method": "wire",
                              "amount": "10.00", "currency": "USD"}),
        (f"/api/v1/invoices/{credited.pk}/credit-notes", {"reason": "billing_error",
                                                          "whole": True}),
        ("/api/v1/ledger/exports", {"format": "csv"}),
    ]}
    return {
        "/api/v1/accounts": quote.account_id,
        "/api/v1/contacts": quote.account.contacts.first().pk,
        "/api/v1/products": Product.objects.order_by("pk").first().pk,
        "/api/v1/price-books": PriceBook.objects.order_by("pk").first().pk,
        "/api/v1/quotes": quote.pk,
        "/api/v1/contracts": contract.pk,
        "/api/v1/orders": order_for(rep, finance=everyone).pk,
        "/api/v1/invoices": invoice.pk,
        "/api/v1/credit-notes": made[f"/api/v1/invoices/{credited.pk}/credit-notes"],
        "/api/v1/payments": made["/api/v1/payments"],
        "/api/v1/revenue-contracts": revenue_contract_of(contract).pk,
        "/api/v1/journal-entries": invoice.journal_entry_id,
        "/api/v1/ledger/exports": made["/api/v1/ledger/exports"],
        "line_id": quote.lines.first().pk,
    }


def _path_parameters(operation, documents) -> dict:
    """Real ids for the operation's path, so a GET by id reads a real document."""
    fixed = {}
    if "{id}" in operation.path:
        fixed["id"] = documents[operation.path.split("/{id}")[0]]
    if "{line_id}" in operation.path:
        fixed["line_id"] = documents["line_id"]
    if "{external_id}" in operation.path:
        fixed["external_id"] = "crm-1"
    return fixed


def _send(operation, mode, fixed: dict, examples: int, headers: dict, statuses: Counter,
          failures: list) -> None:
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    def send(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as failure:
            failures.append(f"{case.method} {case.formatted_path} {mode.value}: "
                            f"{failure}"[:2000])

    send()


def fuzz(schema, documents, user, modes, examples: int) -> tuple[Counter, list]:
    """Send `examples` generated requests per operation and mode as `user`; the answers'
    statuses counted, and the failed checks, each with its request."""
    headers = {"Authorization": f"Bearer {KeyClient(user).issued.token}"}
    statuses, failures = Counter(), []
    with one_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in modes:
                _send(operation, mode, _path_parameters(operation, documents), examples,
                      headers, statuses, failures)
    return statuses, failures


def test_no_operation_answers_a_server_error_or_off_its_schema(schema, documents, everyone):
    statuses, failures = fuzz(schema, documents, everyone,
                              [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], EXAMPLES)
    assert failures == []
    assert statuses[200] > 50 and statuses[400] > 50, statuses  # real reads and refusals


def test_a_role_that_may_not_is_refused_not_failed(schema, documents, catalog_admin):
    statuses, failures = fuzz(schema, documents, catalog_admin, [GenerationMode.POSITIVE],
                              max(1, EXAMPLES // 2))
    assert failures == []
    assert statuses[403] > 20 and not any(code >= 500 for code in statuses), statuses


def test_every_operation_describes_its_refusals_as_problem_details(schema):
    refusals = {(operation.method.upper(), operation.path, status): set(
        operation.definition.raw["responses"][status].get("content", {}))
        for operation in (result.ok() for result in schema.get_all_operations())
        for status in ("401", "403", "404") if status in operation.definition.raw["responses"]}
    assert len({(method, path) for method, path, _ in refusals}) == 56
    assert set(map(frozenset, refusals.values())) == {frozenset({"application/problem+json"})}
    assert ("GET", "/api/v1/invoices/{id}/", "404") in refusals
    assert ("GET", "/api/v1/invoices/", "404") not in refusals
