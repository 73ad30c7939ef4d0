"""Contracts over the API: the stored charge schedule (read, paged), amendments started and
contracts terminated through the contract services, refused to roles and keys without the
permission, replayed under an Idempotency-Key."""

from decimal import Decimal as D

import pytest

from contracts.models import Amendment, ContractState, ScheduledCharge, Termination
from contracts.selectors import charge_schedule_of
from quotes.models import QuoteKind, QuoteState
from tests.api.conftest import errors_of
from tests.contracts.factories import active_contract

pytestmark = pytest.mark.django_db

EFFECTIVE = "2027-03-15"


@pytest.fixture
def contract(sales_rep, finance):
    """Rep A's active USD contract from 1 December 2026 for 12 months: monthly seats and a
    one-time onboarding."""
    return active_contract(sales_rep, by=finance)


def _all_pages(client, url):
    rows, page = [], client.get(url).json()
    rows += page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        rows += page["results"]
    return rows


def test_the_charge_schedule_is_the_stored_rows_in_force_by_due_date(client_for, contract,
                                                                     sales_rep):
    # given
    stored = list(charge_schedule_of(contract))

    # when
    rows = _all_pages(client_for(sales_rep),
                      f"/api/v1/contracts/{contract.pk}/charges/?limit=5")

    # then
    assert [row["id"] for row in rows] == [row.pk for row in sorted(
        stored, key=lambda row: (row.due_on, row.pk))]
    assert len(rows) == 13  # twelve monthly seat charges and the onboarding
    assert sum(D(row["amount"]) for row in rows) == contract.total_contract_value
    assert {(row["change_kind"], row["billed"]) for row in rows} == {("start", False)}


def test_the_schedule_is_filtered_by_line_and_checks_the_line(client_for, contract,
                                                              sales_rep):
    client = client_for(sales_rep)
    seats = contract.lines.get(product__sku="SEAT-USER")
    url = f"/api/v1/contracts/{contract.pk}/charges/"
    rows = client.get(f"{url}?line={seats.pk}&limit=50").json()["results"]
    assert {row["line"] for row in rows} == {seats.pk} and len(rows) == 12
    bad = client.get(f"{url}?line=seats")
    assert bad.status_code == 400 and errors_of(bad) == {"line": ["Name the line by its id."]}


def test_the_schedule_page_costs_the_same_queries_at_any_depth(client_for, contract, finance,
                                                               django_assert_num_queries):
    client = client_for(finance)
    url = f"/api/v1/contracts/{contract.pk}/charges/?limit=2"
    client.get(url)
    with django_assert_num_queries(5):  # key, permissions (2), contract, rows
        first = client.get(url).json()
    with django_assert_num_queries(5):
        client.get(first["next"])


def test_another_reps_contract_schedule_is_not_found(client_for, contract, other_rep):
    client = client_for(other_rep)
    assert client.get(f"/api/v1/contracts/{contract.pk}/charges/").status_code == 404
    refused = client.post_json(f"/api/v1/contracts/{contract.pk}/amendments/",
                               {"effective_on": EFFECTIVE})
    assert refused.status_code == 404 and not Amendment.objects.exists()


def test_the_owner_starts_an_amendment_quote_through_the_service(client_for, contract,
                                                                 sales_rep):
    client = client_for(sales_rep)

    response = client.post_json(f"/api/v1/contracts/{contract.pk}/amendments/",
                                {"effective_on": EFFECTIVE})

    assert response.status_code == 201, response.json()
    amendment = Amendment.objects.get()
    assert response.json()["id"] == amendment.pk
    assert (amendment.quote.kind, amendment.quote.state, str(amendment.effective_on)) == (
        QuoteKind.AMENDMENT, QuoteState.DRAFT, EFFECTIVE)
    listed = client.get(f"/api/v1/contracts/{contract.pk}/amendments/").json()
    assert [(row["quote"], row["quote_state"]) for row in listed] == [
        (amendment.quote_id, "draft")]
    quote = client.get(f"/api/v1/quotes/{amendment.quote_id}/").json()
    assert [line["sku"] for line in quote["lines"]] == ["SEAT-USER"]


def test_an_amendment_is_replayed_under_its_key_and_a_new_body_is_refused(
        client_for, contract, sales_rep):
    client = client_for(sales_rep)
    url = f"/api/v1/contracts/{contract.pk}/amendments/"
    first = client.post_json(url, {"effective_on": EFFECTIVE}, key="amend-1")
    again = client.post_json(url, {"effective_on": EFFECTIVE}, key="amend-1")
    other = client.post_json(url, {"effective_on": "2027-04-01"}, key="amend-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Amendment.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({}, "effective_on"),
    ({"effective_on": "2026-12-01"}, "effective_on"),  # not after the start
    ({"effective_on": "2028-01-01"}, "effective_on"),  # after the end
])
def test_a_bad_effective_date_is_named(client_for, contract, sales_rep, body, field):
    response = client_for(sales_rep).post_json(f"/api/v1/contracts/{contract.pk}/amendments/",
                                               body)
    assert response.status_code == 400
    assert list(errors_of(response)) == [field]
    assert not Amendment.objects.exists()


@pytest.mark.parametrize(("role", "expected"), [
    ("accountant", 403),  # reads every contract, amends none
    ("catalog_admin", 404),  # sees no contract at all
])
def test_roles_that_do_not_amend_are_refused(client_for, contract, role_users, role, expected):
    response = client_for(role_users[role]).post_json(
        f"/api/v1/contracts/{contract.pk}/amendments/", {"effective_on": EFFECTIVE})
    assert response.status_code == expected
    assert not Amendment.objects.exists()


def test_a_key_without_the_amend_scope_is_refused(client_for, contract, sales_rep):
    client = client_for(sales_rep, scopes=["contracts.view_contract",
                                           "contracts.view_contractline"])
    response = client.post_json(f"/api/v1/contracts/{contract.pk}/amendments/",
                                {"effective_on": EFFECTIVE})
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not allowed to amend contracts."
    assert client.get(f"/api/v1/contracts/{contract.pk}/charges/").status_code == 200
    assert not Amendment.objects.exists()


def test_the_termination_preview_writes_nothing_and_matches_the_termination(
        client_for, contract, finance):
    client = client_for(finance)
    before = ScheduledCharge.objects.count()

    preview = client.get(f"/api/v1/contracts/{contract.pk}/termination-preview/"
                         f"?effective_on={EFFECTIVE}")
    assert preview.status_code == 200, preview.json()
    assert ScheduledCharge.objects.count() == before

    done = client.post_json(f"/api/v1/contracts/{contract.pk}/terminate/",
                            {"effective_on": EFFECTIVE, "reason": "Went out of business"})
    assert done.status_code == 201, done.json()
    body = done.json()
    contract.refresh_from_db()
    assert contract.state == ContractState.TERMINATED
    assert D(body["credit_amount"]) == D(preview.json()["credit_amount"])
    assert ([(r["kind"], r["period_start"], r["amount"]) for r in body["rows"]]
            == [(r["kind"], r["period_start"], r["amount"]) for r in preview.json()["rows"]])
    assert body["rows"] and {r["change_kind"] for r in body["rows"]} == {"termination"}


def test_a_termination_needs_a_reason_and_a_date_in_the_term(client_for, contract, finance):
    client = client_for(finance)
    url = f"/api/v1/contracts/{contract.pk}/terminate/"
    no_reason = client.post_json(url, {"effective_on": EFFECTIVE, "reason": " "})
    too_late = client.post_json(url, {"effective_on": "2028-01-01", "reason": "Moved"})
    assert (no_reason.status_code, too_late.status_code) == (400, 400)
    assert list(errors_of(no_reason)) == ["reason"]
    assert list(errors_of(too_late)) == ["effective_on"]
    preview = client.get(f"/api/v1/contracts/{contract.pk}/termination-preview/")
    assert preview.status_code == 400 and list(errors_of(preview)) == ["effective_on"]
    assert not Termination.objects.exists()


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "accountant"])
def test_only_finance_terminates(client_for, contract, role_users, role):
    response = client_for(role_users[role]).post_json(
        f"/api/v1/contracts/{contract.pk}/terminate/",
        {"effective_on": EFFECTIVE, "reason": "Moved"})
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE and not Termination.objects.exists()


def test_a_termination_is_replayed_under_its_key(client_for, contract, finance):
    client = client_for(finance)
    url = f"/api/v1/contracts/{contract.pk}/terminate/"
    body = {"effective_on": EFFECTIVE, "reason": "Moved"}
    first = client.post_json(url, body, key="end-1")
    again = client.post_json(url, body, key="end-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and Termination.objects.count() == 1


def test_a_line_priced_by_the_second_shows_its_policy_moments_and_zone(client_for, sales_rep):
    """The contract and its schedule over the API say what the contract page says of a line
    counted by the second (tests/contracts/test_schedule_by_second.py's worked example: 6
    seats starting at 18:00 on 1 December, 2,613,600 of 2,678,400 seconds, $149.30)."""
    from tests.contracts.test_schedule_by_second import EVENING, _by_second, _contract, _quote

    # given
    _by_second()
    contract = _contract(sales_rep, _quote(sales_rep))
    client = client_for(sales_rep)

    # when
    (line,) = client.get(f"/api/v1/contracts/{contract.pk}/").json()["lines"]
    first = client.get(f"/api/v1/contracts/{contract.pk}/charges/?limit=1").json()["results"][0]

    # then
    assert (line["proration_granularity"], line["time_zone"], line["ends_at"]) == (
        "second", "UTC", None)
    assert line["starts_at"].replace("Z", "+00:00") == EVENING.isoformat()
    assert (D(first["amount"]), first["seconds"], first["period_seconds"], first["days"]) == (
        D("149.30"), 2_613_600, 2_678_400, None)


def test_a_termination_takes_an_effective_time(client_for, finance, sales_rep):
    """Seats priced by the second end at noon on 16 March 2027: 1,339,200 of March's
    2,678,400 seconds are not served (tests/contracts/test_termination_at_a_moment.py, after
    Stripe's immediate cancellation prorated "down to the second")."""
    from tests.contracts.test_schedule_by_second import _by_second

    # given
    _by_second()
    contract = active_contract(sales_rep, by=finance)
    client = client_for(finance)

    # when
    preview = client.get(f"/api/v1/contracts/{contract.pk}/termination-preview/"
                         f"?effective_on=2027-03-16&effective_time=12:00")
    done = client.post_json(f"/api/v1/contracts/{contract.pk}/terminate/",
                            {"effective_on": "2027-03-16", "effective_time": "12:00",
                             "reason": "Closed the office"})
    bad = client.get(f"/api/v1/contracts/{contract.pk}/termination-preview/"
                     f"?effective_on=2027-03-16&effective_time=noon")

    # then
    assert (preview.status_code, done.status_code) == (200, 201), done.json()
    assert done.json()["effective_time"] == "12:00:00"
    [row] = done.json()["rows"]
    assert (D(row["amount"]), row["seconds"]) == (D("63.75"), 1_339_200)
    assert [(r["amount"], r["seconds"]) for r in preview.json()["rows"]] == [
        (row["amount"], row["seconds"])]
    assert bad.status_code == 400 and list(errors_of(bad)) == ["effective_time"]
