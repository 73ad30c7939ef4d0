"""API keys: shown once and stored hashed, scoped to the role grants, expiring, rotated, last
used and revoked; the browser's session works too (with CSRF on writes)."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from core.api_keys import issue_api_key, revoke_api_key, rotate_api_key
from core.models import ApiKey, ApiKeyKind
from core.roles import Role
from tests.conftest import PASSWORD, make_user
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _client(token=None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_only_the_hash_of_the_key_is_stored(sales_rep):
    issued = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    stored = ApiKey.objects.get()
    assert issued.token.startswith(f"q2c_{stored.prefix}_")
    assert stored.secret_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in str(ApiKey.objects.values().get())


def test_a_key_carries_the_role_grants_and_no_more(sales_rep):
    issued = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    assert "quotes.add_quote" in issued.key.scopes
    assert "billing.issue_invoice" not in issued.key.scopes
    with pytest.raises(ValidationError) as error:
        issue_api_key(user=sales_rep, name="Too much", by=sales_rep,
                      scopes=["quotes.add_quote", "billing.issue_invoice"])
    assert error.value.message_dict == {
        "scopes": ["Not granted to rep_a's roles: billing.issue_invoice."]}


def test_a_user_issues_keys_only_for_themself_and_an_admin_for_anyone(sales_rep, other_rep):
    with pytest.raises(PermissionDenied):
        issue_api_key(user=other_rep, name="Not mine", by=sales_rep)
    admin = get_user_model().objects.create_superuser("root", "root@x.example", PASSWORD)
    integration = make_user("hubspot", Role.SALES_MANAGER)
    issued = issue_api_key(user=integration, name="HubSpot", by=admin,
                           kind=ApiKeyKind.INTEGRATION)
    assert issued.key.created_by == admin and issued.key.user == integration


def test_a_superuser_cannot_hold_a_key(db):
    admin = get_user_model().objects.create_superuser("root", "root@x.example", PASSWORD)
    with pytest.raises(ValidationError) as error:
        issue_api_key(user=admin, name="God mode", by=admin)
    assert error.value.message_dict["user"][0].startswith("A superuser cannot hold an API key")


def test_an_unknown_or_malformed_key_is_401(db):
    for token in ("q2c_nope_secret", "garbage", "q2c__"):
        response = _client(token).get("/api/v1/accounts/")
        assert response.status_code == 401, token
        assert response["WWW-Authenticate"] == "Bearer"
    assert _client().get("/api/v1/accounts/").status_code in (401, 403)


def test_a_tampered_secret_with_a_real_prefix_is_401(sales_rep):
    issued = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    assert _client(issued.token[:-2] + "xx").get("/api/v1/accounts/").status_code == 401


def test_an_expired_key_stops(sales_rep, time_machine):
    issued = issue_api_key(user=sales_rep, name="Short", by=sales_rep,
                           expires_at=timezone.now() + timedelta(days=1))
    assert _client(issued.token).get("/api/v1/accounts/").status_code == 200
    time_machine.shift(timedelta(days=2))
    assert _client(issued.token).get("/api/v1/accounts/").status_code == 401


def test_a_revoked_key_stops_and_only_its_owner_or_an_admin_revokes(sales_rep, other_rep):
    issued = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    with pytest.raises(PermissionDenied):
        revoke_api_key(key=issued.key, by=other_rep)
    revoke_api_key(key=issued.key, by=sales_rep)
    assert _client(issued.token).get("/api/v1/accounts/").status_code == 401


def test_rotation_issues_a_new_key_and_stops_the_old(sales_rep):
    old = issue_api_key(user=sales_rep, name="CRM", by=sales_rep,
                        scopes=["customers.view_account"])
    new = rotate_api_key(key=old.key, by=sales_rep)
    assert new.key.scopes == ["customers.view_account"] and new.token != old.token
    assert _client(new.token).get("/api/v1/accounts/").status_code == 200
    assert _client(old.token).get("/api/v1/accounts/").status_code == 401
    old.key.refresh_from_db()
    assert old.key.replaced_by == new.key


def test_rotation_with_an_overlap_keeps_the_old_key_for_a_while(sales_rep, time_machine):
    old = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    new = rotate_api_key(key=old.key, by=sales_rep, overlap=timedelta(hours=1))
    assert _client(old.token).get("/api/v1/accounts/").status_code == 200
    time_machine.shift(timedelta(hours=2))
    assert _client(old.token).get("/api/v1/accounts/").status_code == 401
    assert _client(new.token).get("/api/v1/accounts/").status_code == 200


def test_last_used_is_noted_at_most_once_a_minute(sales_rep, time_machine):
    issued = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    _client(issued.token).get("/api/v1/accounts/")
    first = ApiKey.objects.get().last_used_at
    _client(issued.token).get("/api/v1/accounts/")
    assert ApiKey.objects.get().last_used_at == first is not None
    time_machine.shift(timedelta(minutes=2))
    _client(issued.token).get("/api/v1/accounts/")
    assert ApiKey.objects.get().last_used_at > first


def test_a_role_taken_from_the_user_is_taken_from_the_key(sales_rep):
    issued = issue_api_key(user=sales_rep, name="CRM", by=sales_rep)
    sales_rep.groups.clear()
    assert _client(issued.token).get("/api/v1/accounts/").json()["results"] == []
    response = _client(issued.token).post("/api/v1/accounts/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_the_browser_session_reads_and_writes_with_csrf(sales_rep):
    AccountFactory(owner=sales_rep)
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=sales_rep.username, password=PASSWORD)
    assert len(client.get("/api/v1/accounts/").json()["results"]) == 1
    refused = client.post("/api/v1/accounts/", {"name": "X"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


def test_an_admin_issues_a_key_in_admin_and_sees_it_once(client, sales_rep):
    admin = get_user_model().objects.create_superuser("root", "root@x.example", PASSWORD)
    client.force_login(admin)
    response = client.post("/admin/core/apikey/add/", {
        "user": sales_rep.pk, "name": "Salesforce", "kind": "integration",
        "scopes": ["customers.view_account"]}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    key = ApiKey.objects.get()
    token = next(word for m in shown for word in m.split() if word.startswith("q2c_"))
    assert (key.name, key.scopes, key.created_by) == ("Salesforce", ["customers.view_account"],
                                                       admin)
    assert _client(token).get("/api/v1/accounts/").status_code == 200
    client.post("/admin/core/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert _client(token).get("/api/v1/accounts/").status_code == 401


def test_admin_refuses_scopes_beyond_the_users_roles(client, sales_rep):
    admin = get_user_model().objects.create_superuser("root", "root@x.example", PASSWORD)
    client.force_login(admin)
    response = client.post("/admin/core/apikey/add/", {
        "user": sales_rep.pk, "name": "Too much", "kind": "personal",
        "scopes": ["billing.issue_invoice"]})
    assert response.status_code == 200
    assert "billing.issue_invoice" in str(response.context["adminform"].form.errors["scopes"])
    assert not ApiKey.objects.exists()


def test_a_sales_rep_cannot_open_the_keys_admin(client, sales_rep):
    client.force_login(sales_rep)
    assert client.get("/admin/core/apikey/").status_code in (302, 403)


def test_the_rate_limit_answers_429_per_key(client_for, sales_rep, settings):
    settings.API_RATE_LIMIT = "3/min"
    from django.core.cache import cache

    cache.clear()
    client = client_for(sales_rep)
    codes = [client.get("/api/v1/accounts/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/accounts/")["Retry-After"]
    cache.clear()
