"""Bad input never makes a server error: every write endpoint of the schema is sent empty,
mistyped and out-of-range bodies (field by field, from its request schema), on real documents,
by a role that may write there; each answer is a 4xx problem or a success, never a 5xx."""

from decimal import Decimal as D

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.test_billing import gb_account
from tests.contracts.factories import active_contract
from tests.payments.factories import issued_invoice
from tests.quotes.factories import account_for, draft_quote

pytestmark = pytest.mark.django_db

WEIRD = [None, "", "not a number", -1, 10**30, "1e999", "NaN", [], {}, "2026-13-45",
         "x" * 300, True, {"nested": [1]}]
WHOLE_BODIES = [{}, [], "text", None, 12]


def _write_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json",
                                                                           {})
            ref = body.get("schema", {}).get("$ref", "")
            fields = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            yield path, method, fields


def _bodies(fields):
    yield from WHOLE_BODIES
    for field in fields:
        for value in WEIRD:
            yield {field: value}
    for value in WEIRD:
        yield {field: value for field in fields}


def test_no_write_endpoint_answers_a_server_error(client_for, sales_rep, finance, catalog):
    # given documents of every kind, seen by both users
    quote = draft_quote(sales_rep, account=account_for(sales_rep),
                        lines=[("SEAT-USER", 2, "0")])
    invoice = issued_invoice(account_=gb_account(owner=sales_rep), net=D("100.00"))
    contract = active_contract(sales_rep, by=finance)
    ids = {"accounts": quote.account_id, "contacts": quote.account.contacts.first().pk,
           "quotes": quote.pk, "invoices": invoice.pk, "contracts": contract.pk}
    clients = [client_for(sales_rep), client_for(finance)]
    payment = clients[1].post_json("/api/v1/payments/", {
        "account": invoice.account_id, "method": "wire", "amount": "10.00",
        "currency": "USD"}).json()
    ids["payments"] = payment["id"]
    failures, sent = [], 0
    for path, method, fields in _write_operations():
        resource = path.split("/")[3]
        url = path.replace("{id}", str(ids.get(resource, 999999))).replace(
            "{external_id}", "ext-1").replace("{line_id}", str(quote.lines.first().pk))
        for body in _bodies(fields):
            for client in clients:
                client.raise_request_exception = False
                response = getattr(client, method)(url, body, format="json")
                sent += 1
                if response.status_code >= 500:
                    failures.append((method, url, body, response.status_code))
                elif response.status_code >= 400:
                    assert response.json()["status"] == response.status_code
    assert sent > 1000
    assert failures == []
