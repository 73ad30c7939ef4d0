"""Billing pages: who may open them, the finance journey in the browser's requests (start a run,
watch it, review, edit and issue drafts, void), and pages whose query counts do not grow."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Invoice, InvoiceState
from billing.services import drafts
from billing.services.issuing import issue_invoice
from tests.billing.factories import active_contract
from tests.conftest import PASSWORD
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 23)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def draft(account, finance, lines=1):
    invoice = drafts.create_manual_invoice(account=account, by=finance)
    for n in range(lines):
        drafts.add_manual_charge(invoice=invoice, by=finance, description=f"Charge {n}",
                                 quantity=D(1), unit_price=D("10.00"))
    invoice.refresh_from_db()
    return invoice


@pytest.mark.parametrize(("name", "role", "status"), [
    ("billing:runs", "anonymous", 302), ("billing:runs", "sales_rep", 403),
    ("billing:runs", "sales_manager", 403), ("billing:runs", "catalog_admin", 403),
    ("billing:runs", "finance", 200), ("billing:runs", "accountant", 200),
    ("billing:run_preview", "accountant", 403), ("billing:run_preview", "finance", 200),
    ("billing:invoices", "anonymous", 302), ("billing:invoices", "catalog_admin", 403),
    ("billing:invoices", "sales_rep", 200), ("billing:invoices", "sales_manager", 200),
    ("billing:invoices", "finance", 200), ("billing:invoices", "accountant", 200),
    ("billing:invoice_new", "sales_rep", 403), ("billing:invoice_new", "accountant", 403),
    ("billing:invoice_new", "finance", 200),
])
def test_pages_by_role(client, role_users, name, role, status):
    if role != "anonymous":
        login(client, role_users[role])
    assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize(("role", "status"), [
    ("sales_rep", 200), ("sales_manager", 200), ("finance", 200), ("accountant", 200),
    ("catalog_admin", 403),
])
def test_invoice_page_by_role(client, role_users, finance, role, status):
    invoice = draft(AccountFactory(owner=role_users["sales_rep"]), finance)
    login(client, role_users[role])
    assert client.get(reverse("billing:invoice", args=[invoice.pk])).status_code == status


def test_another_teams_invoice_is_not_found(client, sales_rep, other_rep, finance):
    invoice = draft(AccountFactory(owner=other_rep), finance)
    login(client, sales_rep)
    assert client.get(reverse("billing:invoice", args=[invoice.pk])).status_code == 404
    listed = client.get(reverse("billing:invoices")).content.decode()
    assert reverse("billing:invoice", args=[invoice.pk]) not in listed


@pytest.mark.parametrize("name", ["billing:issue", "billing:void", "billing:discard",
                                  "billing:add_charge"])
def test_actions_are_refused_to_sales_and_accountants(client, role_users, finance, name):
    invoice = draft(AccountFactory(owner=role_users["sales_rep"]), finance)
    for role in ("sales_rep", "accountant"):
        login(client, role_users[role])
        assert client.post(reverse(name, args=[invoice.pk])).status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).state == InvoiceState.DRAFT


def test_finance_runs_watches_reviews_and_issues_in_the_browser(
        client, finance, django_capture_on_commit_callbacks):
    # given an active subscription
    account = AccountFactory(bill_day=1, name="Globex")
    active_contract(account=account, start_on=date(2026, 11, 1), end_on=date(2027, 10, 31),
                    lines=[{"amount": "100.00"}])
    login(client, finance)
    # when finance previews, then starts a run
    preview = client.get(reverse("billing:run_preview"), {"as_of": "2026-11-23"})
    assert "Globex" in preview.content.decode() and not Invoice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:runs"), {"as_of": "2026-11-23"})
    run_url = response.url
    # then the run page (and its htmx partial) shows the summary
    page = client.get(run_url).content.decode()
    assert "Completed" in page and "1 (1 drafts, 0 issued)" in page
    partial = client.get(run_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="run-progress"' in partial and "<html" not in partial
    # and finance issues the draft in bulk from the list
    invoice = Invoice.objects.get()
    response = client.post(reverse("billing:issue_bulk"), {"invoices": [invoice.pk]})
    assert messages_of(response) == ["1 invoices issued: INV-2026-000001 to INV-2026-000001."]
    detail = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "INV-2026-000001" in detail and "JE-" in detail and "Due schedule" in detail


def test_finance_edits_a_draft_then_voids_the_issued_invoice(client, finance):
    invoice = draft(AccountFactory(), finance)
    login(client, finance)
    client.post(reverse("billing:add_charge", args=[invoice.pk]),
                {"description": "Extra work", "quantity": "2", "unit_price": "25.00"})
    invoice.refresh_from_db()
    assert invoice.total == D("60.00")
    line = invoice.lines.get(position=1)
    client.post(reverse("billing:line_edit", args=[invoice.pk, line.pk]),
                {"description": "Charge 0", "quantity": "1", "unit_price": "5.00"})
    client.post(reverse("billing:issue", args=[invoice.pk]))
    response = client.post(reverse("billing:void", args=[invoice.pk]), {"reason": "Duplicate"})
    invoice.refresh_from_db()
    assert (invoice.state, invoice.total) == (InvoiceState.VOID, D("55.00"))
    assert "is void" in messages_of(response)[-1]


def test_bad_charge_comes_back_as_a_message(client, finance):
    invoice = draft(AccountFactory(), finance)
    login(client, finance)
    response = client.post(reverse("billing:add_charge", args=[invoice.pk]),
                           {"description": "", "quantity": "1", "unit_price": "1"})
    assert "description" in messages_of(response)[0]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_invoice_page_queries_do_not_grow_with_lines(client, finance):
    few = issue_invoice(invoice=draft(AccountFactory(), finance, lines=1), by=finance, on=ON)
    many = issue_invoice(invoice=draft(AccountFactory(), finance, lines=50), by=finance, on=ON)
    login(client, finance)
    assert _queries(client, reverse("billing:invoice", args=[few.pk])) == _queries(
        client, reverse("billing:invoice", args=[many.pk]))


def test_invoice_list_queries_do_not_grow_with_invoices(client, finance):
    account = AccountFactory()
    draft(account, finance)
    login(client, finance)
    one = _queries(client, reverse("billing:invoices"))
    for _ in range(30):
        draft(AccountFactory(), finance)
    assert _queries(client, reverse("billing:invoices")) == one


def test_the_run_form_refuses_unknown_accounts(client, finance):
    login(client, finance)
    response = client.post(reverse("billing:runs"), {"as_of": "2026-11-23",
                                                     "accounts": "999999, abc"})
    assert response.status_code == 200 and "Not account numbers: abc." in response.content.decode()


def test_finance_issues_every_draft_of_a_run_from_its_page(client, finance,
                                                           django_capture_on_commit_callbacks):
    for _ in range(3):
        account = AccountFactory(bill_day=1)
        active_contract(account=account, start_on=date(2026, 11, 1), end_on=date(2027, 10, 31),
                        lines=[{"amount": "100.00"}])
    login(client, finance)
    with django_capture_on_commit_callbacks(execute=True):
        run_url = client.post(reverse("billing:runs"), {"as_of": "2026-11-23"}).url
    assert "Issue all 3 drafts" in client.get(run_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(run_url + "issue/")
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-2026-000001", "INV-2026-000002", "INV-2026-000003"]
