"""The amendment preview over the API (issue 19): what an amendment charges and credits before
the customer accepts it, from the same service as the amendment page
(`contracts.documents.amendment_document`), to whom the page shows it, with bad input refused
by its field."""

from datetime import date
from decimal import Decimal as D

import pytest
import yaml
from django.urls import reverse

from contracts import services
from contracts.documents import amendment_document
from contracts.models import Amendment, ScheduledCharge
from core.templatetags.money import money
from quotes import services as quote_services
from tests.api.conftest import errors_of
from tests.contracts.factories import ON, active_contract
from tests.contracts.test_amendments import accept

pytestmark = pytest.mark.django_db
EFFECTIVE = date(2027, 3, 15)
TOTALS = ("credit_period", "charge_period", "net_period", "credit_term", "charge_term",
          "net_term", "recurring_before", "recurring_after")


@pytest.fixture
def contract(sales_rep, finance):
    """Rep A's active USD contract from 1 December 2026: 5 monthly seats and onboarding."""
    return active_contract(sales_rep, by=finance)


@pytest.fixture
def amendment(contract, sales_rep, other_rep, finance):
    """Seats 5 → 8 from 15 March 2027, sent, not yet accepted; another rep's contract has an
    amendment of its own (noise)."""
    services.start_amendment(contract=active_contract(other_rep, by=finance), by=other_rep,
                             effective_on=EFFECTIVE, on=ON)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)
    seats = amendment.quote.lines.get(product__sku="SEAT-USER")
    quote_services.update_line(line=seats, by=sales_rep, quantity=D(8))
    quote_services.submit_for_approval(quote=amendment.quote, by=sales_rep, on=ON)
    quote_services.send_quote(quote=amendment.quote, by=sales_rep, on=ON)
    amendment.refresh_from_db()
    return amendment


def _url(contract, amendment_id) -> str:
    return f"/api/v1/contracts/{contract.pk}/amendment-preview/?amendment={amendment_id}"


def test_the_preview_has_the_figures_of_the_amendment_page_and_writes_nothing(
        client, client_for, contract, amendment, sales_rep):
    # given
    rows_before = ScheduledCharge.objects.count()
    client.force_login(sales_rep)
    page = client.get(reverse("contracts:amendment", args=[amendment.pk]))
    shown = page.context["document"]

    # when
    answer = client_for(sales_rep).get(_url(contract, amendment.pk))

    # then
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["amendment"], body["effective_on"], body["applied"], body["currency"]) == (
        amendment.pk, "2027-03-15", False, "USD")
    assert {name: D(body[name]) for name in TOTALS} == {
        name: getattr(shown, name) for name in TOTALS}
    html = page.content.decode()
    assert money(D(body["net_term"]), "USD") in html
    assert money(D(body["recurring_after"]), "USD") in html
    [change] = body["changes"]
    assert (change["product"], change["kind"], D(change["quantity_before"]),
            D(change["quantity_after"])) == ("User seat", "changed", D(5), D(8))
    [page_change] = shown.changes
    assert [D(row["amount"]) for row in change["credit_rows"] + change["charge_rows"]] == [
        row.amount for row in page_change.credit_rows + page_change.charge_rows]
    assert [(invoice["due_on"], D(invoice["amount"])) for invoice in body["next_invoices"]] == [
        (invoice.due_on.isoformat(), invoice.amount) for invoice in shown.next_invoices]
    assert ScheduledCharge.objects.count() == rows_before


def test_what_the_preview_says_is_what_acceptance_stores(client_for, contract, amendment,
                                                         sales_rep):
    preview = client_for(sales_rep).get(_url(contract, amendment.pk)).json()

    accept(amendment.quote)

    amendment.refresh_from_db()
    assert amendment.is_applied
    assert D(preview["net_term"]) == amendment.prorated_total
    applied = client_for(sales_rep).get(_url(contract, amendment.pk)).json()
    assert applied["applied"] is True
    assert {name: applied[name] for name in TOTALS} == {name: preview[name] for name in TOTALS}
    assert amendment_document(amendment).net_term == D(applied["net_term"])


@pytest.mark.parametrize(("role", "expected"), [
    ("sales_rep", 200),  # the owner
    ("sales_manager", 200),  # the owner's manager
    ("finance", 200),
    ("accountant", 200),  # reads every contract (and amends none)
    ("other_rep", 404),  # another team's rep: the page is a 404 too
    ("other_manager", 404),
    ("catalog_admin", 404),  # sees no contract
])
def test_the_preview_is_shown_to_whom_the_page_shows_it(client, client_for, contract,
                                                        amendment, role_users, other_rep,
                                                        other_manager, role, expected):
    user = {"other_rep": other_rep, "other_manager": other_manager}.get(role) or role_users[role]
    client.force_login(user)
    page = client.get(reverse("contracts:amendment", args=[amendment.pk])).status_code

    answer = client_for(user).get(_url(contract, amendment.pk)).status_code

    assert answer == expected
    assert page == expected or (page, answer) == (403, 404)  # no view permission: 403 on a page


def test_a_key_without_the_view_scope_does_not_see_it(client_for, contract, amendment,
                                                      sales_rep):
    client = client_for(sales_rep, scopes=["quotes.view_quote"])
    assert client.get(_url(contract, amendment.pk)).status_code == 404


@pytest.mark.parametrize("query", ["", "?amendment=", "?amendment=seats", "?amendment=0",
                                   "?amendment=99999999999999999999"])
def test_a_missing_or_malformed_amendment_is_refused_by_its_field(client_for, contract,
                                                                  amendment, sales_rep, query):
    answer = client_for(sales_rep).get(
        f"/api/v1/contracts/{contract.pk}/amendment-preview/{query}")
    assert answer.status_code == 400
    assert list(errors_of(answer)) == ["amendment"]


def test_another_contracts_amendment_is_refused_by_its_field(client_for, contract, amendment):
    foreign = Amendment.objects.exclude(contract=contract).get()  # the other rep's

    answer = client_for(contract.owner).get(_url(contract, foreign.pk))

    assert answer.status_code == 400
    assert "has no amendment" in errors_of(answer)["amendment"][0]


def test_the_schema_describes_the_preview(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    operation = schema["paths"]["/api/v1/contracts/{id}/amendment-preview/"]["get"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["amendment"]
    reply = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert reply.endswith("/AmendmentPreview")
