"""Accounts and contacts over the API: visibility, the services' checks, external ids."""

from decimal import Decimal

import pytest

from core.models import ExternalId
from customers.models import Account, Contact
from tests.api.conftest import errors_of
from tests.customers.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {"name": "Globex", "country": "de", "currency": "EUR", "payment_terms": "net-30",
               "credit_limit": "0"}


def test_a_rep_lists_only_the_accounts_they_own(client_for, sales_rep, other_rep):
    # given
    mine = AccountFactory(owner=sales_rep, name="Mine")
    AccountFactory(owner=other_rep, name="Theirs")
    # when
    response = client_for(sales_rep).get("/api/v1/accounts/")
    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_a_manager_sees_the_team_and_finance_sees_all(client_for, sales_rep, sales_manager,
                                                       other_rep, finance):
    mine = AccountFactory(owner=sales_rep)
    theirs = AccountFactory(owner=other_rep)
    team = {row["id"] for row in client_for(sales_manager).get("/api/v1/accounts/").json()[
        "results"]}
    everyone = {row["id"] for row in client_for(finance).get("/api/v1/accounts/").json()[
        "results"]}
    assert team == {mine.pk}
    assert everyone == {mine.pk, theirs.pk}


def test_another_reps_account_is_not_found(client_for, sales_rep, other_rep):
    theirs = AccountFactory(owner=other_rep)
    assert client_for(sales_rep).get(f"/api/v1/accounts/{theirs.pk}/").status_code == 404


def test_a_rep_creates_an_account_they_own_with_its_external_id(client_for, sales_rep):
    response = client_for(sales_rep).post_json("/api/v1/accounts/",
                                               {**NEW_ACCOUNT, "external_id": "crm-001"})
    assert response.status_code == 201, response.json()
    body = response.json()
    account = Account.objects.get(pk=body["id"])
    assert (account.owner, account.country, account.currency) == (sales_rep, "DE", "EUR")
    assert account.credit_limit.amount == Decimal("0")
    assert body["external_id"] == "crm-001"
    assert body["owner"] == sales_rep.username


def test_a_rep_cannot_set_a_credit_limit_through_the_api(client_for, sales_rep):
    response = client_for(sales_rep).post_json("/api/v1/accounts/",
                                               {**NEW_ACCOUNT, "credit_limit": "5000.00"})
    assert response.status_code == 400
    assert "Only finance sets a credit limit" in str(errors_of(response))
    assert not Account.objects.exists()


def test_a_bad_country_and_currency_are_named_in_the_problem(client_for, sales_rep):
    response = client_for(sales_rep).post_json(
        "/api/v1/accounts/", {**NEW_ACCOUNT, "country": "D1", "currency": "XXX"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = errors_of(response)
    assert set(errors) == {"country", "currency"}
    assert "supported currency" in errors["currency"][0]
    assert not Account.objects.exists()


def test_a_rep_may_not_make_another_rep_the_owner(client_for, sales_rep, other_rep):
    response = client_for(sales_rep).post_json(
        "/api/v1/accounts/", {**NEW_ACCOUNT, "owner": other_rep.username})
    assert response.status_code == 400
    assert errors_of(response)["owner"] == ["You may not make this user the account's owner."]


def test_an_unknown_payment_terms_code_is_a_field_error(client_for, sales_rep):
    response = client_for(sales_rep).post_json("/api/v1/accounts/",
                                               {**NEW_ACCOUNT, "payment_terms": "net-999"})
    assert response.status_code == 400
    assert list(errors_of(response)) == ["payment_terms"]


@pytest.mark.parametrize("role", ["accountant", "catalog_admin"])
def test_roles_without_the_add_permission_are_refused(client_for, role_users, role):
    response = client_for(role_users[role]).post_json("/api/v1/accounts/", NEW_ACCOUNT)
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not allowed to create accounts."
    assert not Account.objects.exists()


def test_a_key_without_the_scope_is_refused_though_the_user_has_the_role(client_for,
                                                                         sales_rep):
    client = client_for(sales_rep, scopes=["customers.view_account"])
    assert client.get("/api/v1/accounts/").status_code == 200
    assert client.post_json("/api/v1/accounts/", NEW_ACCOUNT).status_code == 403


def test_patch_changes_only_the_fields_sent(client_for, sales_rep):
    account = AccountFactory(owner=sales_rep, name="Old name", country="US")
    response = client_for(sales_rep).patch(f"/api/v1/accounts/{account.pk}/",
                                           {"name": "New name"}, format="json")
    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.name, account.country) == ("New name", "US")


def test_patch_of_another_reps_account_is_not_found(client_for, sales_rep, other_rep):
    theirs = AccountFactory(owner=other_rep, name="Kept")
    response = client_for(sales_rep).patch(f"/api/v1/accounts/{theirs.pk}/", {"name": "X"},
                                           format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Kept"


def test_upsert_by_external_id_creates_then_updates_the_same_account(client_for, sales_rep):
    client = client_for(sales_rep)
    first = client.put("/api/v1/accounts/external/sf-0042/", NEW_ACCOUNT, format="json")
    second = client.put("/api/v1/accounts/external/sf-0042/", {"name": "Globex GmbH"},
                        format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Account.objects.get().name == "Globex GmbH"
    assert ExternalId.objects.get().value == "sf-0042"


def test_upsert_of_an_account_the_user_may_not_see_is_refused(client_for, sales_rep, other_rep):
    client_for(other_rep).put("/api/v1/accounts/external/sf-7/", NEW_ACCOUNT, format="json")
    response = client_for(sales_rep).put("/api/v1/accounts/external/sf-7/", {"name": "Mine"},
                                         format="json")
    assert response.status_code == 403
    assert Account.objects.get().name == "Globex"


def test_two_accounts_cannot_share_an_external_id(client_for, sales_rep):
    client = client_for(sales_rep)
    client.post_json("/api/v1/accounts/", {**NEW_ACCOUNT, "external_id": "dup"})
    response = client.post_json("/api/v1/accounts/", {**NEW_ACCOUNT, "external_id": "dup"})
    assert response.status_code == 400
    assert "already has the external id" in errors_of(response)["external_id"][0]
    assert Account.objects.count() == 1  # the second account was rolled back with its id


def test_updated_since_filters_and_a_bad_moment_is_a_field_error(client_for, finance):
    AccountFactory()
    client = client_for(finance)
    assert client.get("/api/v1/accounts/?updated_since=2026-11-22T00:00:00Z").json()["results"]
    assert not client.get("/api/v1/accounts/?updated_since=2099-01-01T00:00:00Z").json()[
        "results"]
    bad = client.get("/api/v1/accounts/?updated_since=yesterday")
    assert bad.status_code == 400
    assert list(errors_of(bad)) == ["updated_since"]


def test_cursor_pages_walk_every_account_once(client_for, finance):
    made = {AccountFactory().pk for _ in range(5)}
    client, seen = client_for(finance), []
    url = "/api/v1/accounts/?limit=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)


def test_the_account_list_costs_the_same_queries_for_one_or_twenty(
        client_for, finance, sales_rep, django_assert_num_queries):
    client = client_for(finance)
    owned = {**NEW_ACCOUNT, "owner": sales_rep.username}
    assert client.put("/api/v1/accounts/external/first/", owned,
                      format="json").status_code == 201
    client.get("/api/v1/accounts/")  # content types are cached from here on
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/accounts/").json()["results"]) == 1
    for n in range(19):
        client.put(f"/api/v1/accounts/external/more-{n}/", owned, format="json")
    with django_assert_num_queries(4):
        results = client.get("/api/v1/accounts/").json()["results"]
    assert len(results) == 20
    assert {row["external_id"] for row in results} >= {"first", "more-18"}


def test_contacts_are_added_changed_and_upserted_through_the_service(client_for, sales_rep):
    account = AccountFactory(owner=sales_rep)
    client = client_for(sales_rep)
    created = client.post_json("/api/v1/contacts/", {"account": account.pk, "name": "Ann",
                                                     "email": "ann@globex.example"})
    assert created.status_code == 201, created.json()
    duplicate = client.post_json("/api/v1/contacts/", {"account": account.pk, "name": "Ann 2",
                                                       "email": "ANN@globex.example"})
    assert duplicate.status_code == 400
    assert errors_of(duplicate)["email"] == ["This account already has a contact with this "
                                             "email."]
    upserted = client.put("/api/v1/contacts/external/hub-1/",
                          {"account": account.pk, "name": "Bob", "email": "bob@globex.example"},
                          format="json")
    again = client.put("/api/v1/contacts/external/hub-1/", {"phone": "+49 1"}, format="json")
    assert (upserted.status_code, again.status_code) == (201, 200)
    assert Contact.objects.get(pk=again.json()["id"]).phone == "+49 1"


def test_a_contact_on_another_reps_account_is_refused(client_for, sales_rep, other_rep):
    theirs = AccountFactory(owner=other_rep)
    ContactFactory(account=theirs)
    client = client_for(sales_rep)
    assert client.get("/api/v1/contacts/").json()["results"] == []
    response = client.post_json("/api/v1/contacts/", {"account": theirs.pk, "name": "Eve",
                                                      "email": "eve@x.example"})
    assert response.status_code == 403


def test_an_account_says_whether_its_billing_is_paused(client_for, finance):
    """A CRM or provisioning system reads whether invoice runs hold the account's charges
    (issue 17: suspension by dunning can pause billing)."""
    from customers.services.pauses import pause_billing

    account = AccountFactory()
    assert client_for(finance).get(f"/api/v1/accounts/{account.pk}/").json()[
        "billing_state"] == "billing"
    pause_billing(account=account, by=finance, reason="Suspended for non-payment")
    assert client_for(finance).get(f"/api/v1/accounts/{account.pk}/").json()[
        "billing_state"] == "paused"


def test_an_account_keeps_its_time_zone_and_an_unknown_zone_is_a_field_error(client_for,
                                                                              sales_rep):
    """Issue 17: the account's time zone decides which day a change or usage belongs to."""
    client = client_for(sales_rep)
    bad = client.post_json("/api/v1/accounts/", {**NEW_ACCOUNT, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "time_zone" in errors_of(bad)
    assert not Account.objects.filter(name="Globex").exists()

    made = client.post_json("/api/v1/accounts/", {**NEW_ACCOUNT, "time_zone": "Asia/Tokyo"})
    assert made.status_code == 201, made.json()
    assert made.json()["time_zone"] == "Asia/Tokyo"
    assert Account.objects.get(pk=made.json()["id"]).time_zone == "Asia/Tokyo"
