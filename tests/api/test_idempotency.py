"""Idempotency keys on POST: the first answer is replayed; another body with the key is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import IdempotencyRecord
from customers.models import Account, Contact
from tests.api.conftest import errors_of
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

BODY = {"name": "Globex", "country": "DE", "currency": "EUR", "payment_terms": "net-30"}


def test_a_repeat_with_the_same_key_and_body_replays_the_first_answer(client_for, sales_rep):
    client = client_for(sales_rep)
    first = client.post_json("/api/v1/accounts/", BODY, key="create-globex")
    again = client.post_json("/api/v1/accounts/", BODY, key="create-globex")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Account.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(client_for, sales_rep):
    client = client_for(sales_rep)
    client.post_json("/api/v1/accounts/", BODY, key="k1")
    other = client.post_json("/api/v1/accounts/", {**BODY, "name": "Initech"}, key="k1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Account.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused(client_for, sales_rep):
    client = client_for(sales_rep)
    client.post_json("/api/v1/accounts/", BODY, key="k2")
    assert client.post_json("/api/v1/contacts/", BODY, key="k2").status_code == 422


def test_a_refused_request_is_replayed_as_refused(client_for, sales_rep):
    client = client_for(sales_rep)
    bad = {**BODY, "currency": "XXX"}
    first = client.post_json("/api/v1/accounts/", bad, key="bad-1")
    again = client.post_json("/api/v1/accounts/", bad, key="bad-1")
    assert (first.status_code, again.status_code) == (400, 400)
    assert errors_of(again) == errors_of(first)
    assert again["Content-Type"] == "application/problem+json"


def test_keys_belong_to_their_user(client_for, sales_rep, teammate_rep):
    client_for(sales_rep).post_json("/api/v1/accounts/", BODY, key="shared")
    theirs = client_for(teammate_rep).post_json("/api/v1/accounts/", BODY, key="shared")
    assert theirs.status_code == 201
    assert Account.objects.count() == 2


def test_a_key_still_being_answered_is_refused_with_409(client_for, sales_rep):
    client = client_for(sales_rep)
    IdempotencyRecord.objects.create(user=sales_rep, key="busy", fingerprint="x")
    response = client.post_json("/api/v1/accounts/", BODY, key="busy")
    assert response.status_code == 409
    assert not Account.objects.exists()


def test_after_24_hours_the_key_is_free_again(client_for, sales_rep):
    client = client_for(sales_rep)
    client.post_json("/api/v1/accounts/", BODY, key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = client.post_json("/api/v1/accounts/", BODY, key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Account.objects.count() == 2


def test_a_server_error_gives_the_key_back(client_for, sales_rep, monkeypatch):
    from customers import services

    account = AccountFactory(owner=sales_rep)
    client = client_for(sales_rep)
    client.raise_request_exception = False

    def crash(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "add_contact", crash)
    body = {"account": account.pk, "name": "Ann", "email": "ann@x.example"}
    assert client.post_json("/api/v1/contacts/", body, key="retry-me").status_code == 500
    assert not IdempotencyRecord.objects.filter(key="retry-me").exists()
    monkeypatch.undo()
    assert client.post_json("/api/v1/contacts/", body, key="retry-me").status_code == 201
    assert Contact.objects.count() == 1


def test_a_post_without_a_key_is_not_recorded(client_for, sales_rep):
    client_for(sales_rep).post_json("/api/v1/accounts/", BODY)
    assert not IdempotencyRecord.objects.exists()
