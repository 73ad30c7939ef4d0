"""Orders, contracts, revenue contracts and journal entries over the API (read only), and the
schema and docs."""

from decimal import Decimal as D

import pytest
import yaml

from ledger.models import JournalEntry
from tests.api.conftest import errors_of
from tests.contracts.factories import active_contract
from tests.orders.factories import order_for
from tests.payments.factories import account, issued_invoice
from tests.revrec.factories import revenue_contract_of

pytestmark = pytest.mark.django_db


def test_a_rep_reads_the_orders_of_their_accounts_only(client_for, sales_rep, other_rep,
                                                      finance):
    mine = order_for(sales_rep, finance=finance)
    order_for(other_rep, finance=finance)
    listed = client_for(sales_rep).get("/api/v1/orders/").json()["results"]
    assert [row["number"] for row in listed] == [mine.number]
    assert [line["product"] for line in listed[0]["lines"]] == list(
        mine.lines.order_by("position", "pk").values_list("product_id", flat=True))


def test_the_order_list_costs_the_same_queries_for_one_or_three(
        client_for, sales_rep, finance, django_assert_num_queries):
    client = client_for(finance)
    order_for(sales_rep, finance=finance)
    client.get("/api/v1/orders/")
    with django_assert_num_queries(5):  # key, permissions (2), orders, lines
        client.get("/api/v1/orders/")
    order_for(sales_rep, finance=finance, seat_lines=3)
    order_for(sales_rep, finance=finance)
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/orders/").json()["results"]) == 3


def test_contracts_are_read_with_their_lines_by_who_may_see_them(client_for, sales_rep,
                                                                 other_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    body = client_for(sales_rep).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert (body["number"], body["state"], body["owner"]) == (contract.number, "active",
                                                             sales_rep.username)
    assert D(body["total_contract_value"]) == contract.total_contract_value
    assert len(body["lines"]) == contract.lines.count() > 0
    assert client_for(other_rep).get(f"/api/v1/contracts/{contract.pk}/").status_code == 404


def test_contracts_cannot_be_written_through_the_api(client_for, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    client = client_for(finance)
    assert client.post_json("/api/v1/contracts/", {}).status_code == 405
    assert client.patch(f"/api/v1/contracts/{contract.pk}/", {"state": "terminated"},
                        format="json").status_code == 405


def test_revenue_contracts_show_allocation_and_schedule(client_for, sales_rep, finance,
                                                        accountant):
    contract = active_contract(sales_rep, by=finance)
    revenue = revenue_contract_of(contract)
    body = client_for(accountant).get(f"/api/v1/revenue-contracts/{revenue.pk}/").json()
    assert D(body["transaction_price"]) == revenue.transaction_price
    assert sum(D(o["allocated"]) for o in body["obligations"]) == revenue.transaction_price
    assert all(D(o["scheduled"]) == D(o["allocated"]) for o in body["obligations"])
    assert all(D(o["recognized"]) == 0 for o in body["obligations"])


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "catalog_admin"])
def test_sales_and_catalog_roles_cannot_read_revenue_or_the_ledger(client_for, role_users,
                                                                   role):
    client = client_for(role_users[role])
    assert client.get("/api/v1/revenue-contracts/").status_code == 403
    assert client.get("/api/v1/journal-entries/").status_code == 403


def test_journal_entries_are_read_balanced_with_their_lines(client_for, accountant):
    invoice = issued_invoice(net=D("100.00"))
    entries = client_for(accountant).get("/api/v1/journal-entries/").json()["results"]
    entry = next(e for e in entries if e["id"] == invoice.journal_entry_id)
    assert entry["source_type"] == "billing.invoice" and entry["source_id"] == invoice.pk
    for row in entries:
        assert sum(D(x["debit"]) for x in row["lines"]) == sum(D(x["credit"])
                                                               for x in row["lines"])
    assert len(entries) == JournalEntry.objects.count()


def test_journal_entries_filter_by_posting_day_and_name_a_bad_day(client_for, accountant):
    issued_invoice(net=D("10.00"))
    client = client_for(accountant)
    assert client.get("/api/v1/journal-entries/?posted_from=2026-11-01").json()["results"]
    assert not client.get("/api/v1/journal-entries/?posted_from=2027-01-01").json()["results"]
    bad = client.get("/api/v1/journal-entries/?posted_to=30/11/2026")
    assert bad.status_code == 400 and list(errors_of(bad)) == ["posted_to"]


def test_the_schema_describes_every_resource_and_the_docs_render(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    paths = set(schema["paths"])
    for resource in ("accounts", "contacts", "products", "price-books", "quotes", "contracts",
                     "orders", "invoices", "credit-notes", "usage-events", "payments",
                     "revenue-contracts", "journal-entries"):
        assert f"/api/v1/{resource}/" in paths, resource
    assert "/api/v1/quotes/{id}/send/" in paths
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


def test_entry_and_payment_lists_cost_the_same_queries_for_one_or_many(
        client_for, finance, django_assert_num_queries):
    client = client_for(finance)
    customer = account()
    issued_invoice(account_=customer, net=D("10.00"))
    pay = {"account": customer.pk, "method": "wire", "amount": "5.00", "currency": "USD"}
    client.post_json("/api/v1/payments/", pay)
    client.get("/api/v1/journal-entries/")
    client.get("/api/v1/payments/")
    with django_assert_num_queries(5):  # key, permissions (2), entries, lines
        client.get("/api/v1/journal-entries/")
    with django_assert_num_queries(6):  # key, permissions (2), payments, allocations, refunds
        client.get("/api/v1/payments/")
    for _ in range(3):
        invoice = issued_invoice(account_=customer, net=D("10.00"))
        client.post_json("/api/v1/payments/", {**pay, "applications": [
            {"invoice": invoice.pk, "amount": "5.00"}]})
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/journal-entries/").json()["results"]) == 8
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/payments/").json()["results"]) == 4


def test_contract_and_revenue_lists_cost_the_same_queries_for_one_or_two(
        client_for, sales_rep, finance, django_assert_num_queries):
    client = client_for(finance)
    revenue_contract_of(active_contract(sales_rep, by=finance))
    client.get("/api/v1/contracts/")
    client.get("/api/v1/revenue-contracts/")
    with django_assert_num_queries(5):  # key, permissions (2), contracts, lines
        client.get("/api/v1/contracts/")
    with django_assert_num_queries(6):  # ..., revenue contracts, obligations, schedules
        client.get("/api/v1/revenue-contracts/")
    revenue_contract_of(active_contract(sales_rep, by=finance, seat_lines=3))
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/contracts/").json()["results"]) == 2
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/revenue-contracts/").json()["results"]) == 2


def test_the_schema_validates_without_a_warning(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/usage-events/" in target.read_text()
