"""Usage ingest over the API: batches checked as a whole (every bad event named by its place and
field), written set-based, each event counted once by its account and key, also when two
requests carry the same events at once (PostgreSQL)."""

import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing.models import UsageImport, UsageRecord
from billing.services.usage_ingest import MAX_EVENTS, ingest_usage_events
from catalog.models import ProductKind, RevenueRule
from core.external_ids import set_external_id
from tests.api.conftest import KeyClient, errors_of
from tests.billing.documents.conftest import gb_account
from tests.catalog.factories import ProductFactory
from tests.conftest import reseed_migration_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/usage-events/"


@pytest.fixture
def metered(db):
    return ProductFactory(sku="API-CALLS", kind=ProductKind.USAGE,
                          revenue_rule=RevenueRule.AS_BILLED)


def _event(account, key, quantity="10", day=2):
    return {"account": account.pk, "sku": "API-CALLS", "quantity": quantity,
            "timestamp": f"2026-11-{day:02d}T10:00:00Z", "idempotency_key": key}


def _counts(response):
    body = response.json()
    return response.status_code, body["received"], body["created"], body["duplicates"]


def test_usage_events_are_ingested_once_per_key(client_for, finance, metered):
    account = gb_account()
    client = client_for(finance)
    first = client.post_json(URL, {"events": [_event(account, "e-1"),
                                              _event(account, "e-2", "2.5")]})
    again = client.post_json(URL, {"events": [_event(account, "e-2", "2.5"),
                                              _event(account, "e-3", "1")]})
    resent = client.post_json(URL, {"events": [_event(account, "e-3", "1")]})
    assert _counts(first) == (201, 2, 2, 0)
    assert _counts(again) == (201, 2, 1, 1)
    assert _counts(resent) == (200, 1, 0, 1)
    assert sorted(UsageRecord.objects.values_list("quantity", flat=True)) == [
        D("1"), D("2.5"), D("10")]
    batch = UsageImport.objects.get(pk=again.json()["import_id"])
    assert (batch.row_count, batch.created_count, batch.imported_by) == (2, 1, finance)


def test_the_same_key_twice_in_a_batch_counts_once(client_for, finance, metered):
    account = gb_account()
    response = client_for(finance).post_json(URL, {"events": [
        _event(account, "e-1"), _event(account, "e-1"), _event(gb_account(), "e-1")]})
    assert _counts(response) == (201, 3, 2, 1)  # the key is the account's own
    assert UsageRecord.objects.count() == 2


def test_usage_names_an_account_by_its_external_id(client_for, finance, metered):
    account = gb_account()
    set_external_id(account, "crm-77")
    event = {**_event(account, "x-1"), "account_external_id": "crm-77"}
    del event["account"]
    response = client_for(finance).post_json(URL, {"events": [event]})
    assert response.status_code == 201, response.json()
    assert UsageRecord.objects.get().account_id == account.pk


def test_a_changed_fact_under_a_stored_key_refuses_the_whole_batch(client_for, finance,
                                                                   metered):
    account = gb_account()
    client = client_for(finance)
    client.post_json(URL, {"events": [_event(account, "k-1", "10")]})
    response = client.post_json(URL, {"events": [_event(account, "k-2", "1"),
                                                 _event(account, "k-1", "11")]})
    assert response.status_code == 400
    assert errors_of(response) == {"events[1].idempotency_key": [
        "Event 1: the key 'k-1' was stored before with another product, quantity or time."]}
    assert list(UsageRecord.objects.values_list("idempotency_key", flat=True)) == ["k-1"]


def test_a_key_repeated_with_other_facts_in_one_batch_is_refused(client_for, finance,
                                                                 metered):
    account = gb_account()
    response = client_for(finance).post_json(URL, {"events": [
        _event(account, "k-1", "10"), _event(account, "k-1", "10", day=3)]})
    assert response.status_code == 400
    assert list(errors_of(response)) == ["events[1].idempotency_key"]
    assert "on event 0" in errors_of(response)["events[1].idempotency_key"][0]
    assert not UsageRecord.objects.exists()


def test_every_bad_event_is_named_by_its_place_and_field(client_for, finance, metered):
    account = gb_account()
    ProductFactory(sku="SEATS", kind=ProductKind.SUBSCRIPTION)
    response = client_for(finance).post_json(URL, {"events": [
        _event(account, "ok"),
        {**_event(account, "bad-1"), "quantity": "-1"},
        {**_event(account, "bad-2"), "timestamp": "yesterday", "sku": "NOPE"},
        {**_event(account, "bad-3"), "account": 999_999},
        {**_event(account, "bad-4"), "sku": "SEATS", "quantity": True},
        "not an event",
        {**_event(account, "bad-6"), "account_external_id": "crm-1"},
    ]})
    assert response.status_code == 400
    assert sorted(errors_of(response)) == [
        "events[1].quantity", "events[2].timestamp", "events[4].quantity", "events[5]",
        "events[6].account"]
    assert errors_of(response)["events[1].quantity"] == [
        "Event 1: the quantity -1 must be zero or more."]
    assert not UsageRecord.objects.exists() and not UsageImport.objects.exists()


def test_unknown_accounts_and_products_are_named_after_the_shape_is_right(client_for, finance,
                                                                          metered):
    account = gb_account()
    ProductFactory(sku="SEATS", kind=ProductKind.SUBSCRIPTION)
    response = client_for(finance).post_json(URL, {"events": [
        _event(account, "ok"),
        {**_event(account, "a"), "account": 999_999},
        {**_event(account, "b"), "sku": "NOPE"},
        {**_event(account, "c"), "sku": "SEATS"},
    ]})
    assert errors_of(response) == {
        "events[1].account": ["Event 1: no account 999999."],
        "events[2].sku": ["Event 2: unknown SKU 'NOPE'."],
        "events[3].sku": ["Event 3: SEATS is not a metered (usage) product."]}
    assert not UsageRecord.objects.exists()


@pytest.mark.parametrize("body", [{}, {"events": []}, {"events": "x"}, [], {"events": None}])
def test_a_body_without_events_is_a_problem_naming_events(client_for, finance, body):
    response = client_for(finance).post(URL, body, format="json")
    assert response.status_code == 400
    assert list(errors_of(response)) == ["events"]


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "accountant", "catalog_admin"])
def test_only_finance_ingests_usage(client_for, metered, role_users, role):
    account = gb_account()
    response = client_for(role_users[role]).post_json(URL, {"events": [_event(account, "e")]})
    assert response.status_code == 403
    assert not UsageRecord.objects.exists()


def test_a_finance_key_without_the_usage_scope_is_refused(client_for, finance, metered):
    client = client_for(finance, scopes=["billing.view_invoice"])
    response = client.post_json(URL, {"events": [_event(gb_account(), "e")]})
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not allowed to import usage."


def test_a_batch_over_the_limit_is_refused_before_any_work(client_for, finance, metered):
    account = gb_account()
    events = [_event(account, f"e-{n}") for n in range(MAX_EVENTS + 1)]
    response = client_for(finance).post_json(URL, {"events": events})
    assert response.status_code == 400
    assert errors_of(response) == {"events": [
        f"At most {MAX_EVENTS} events a request; this one has {MAX_EVENTS + 1}: split it."]}
    assert not UsageImport.objects.exists()


def test_a_batch_is_replayed_under_its_request_key_and_another_body_refused(
        client_for, finance, metered):
    account = gb_account()
    client = client_for(finance)
    body = {"events": [_event(account, "e-1")]}
    first = client.post_json(URL, body, key="batch-1")
    again = client.post_json(URL, body, key="batch-1")
    other = client.post_json(URL, {"events": [_event(account, "e-2")]}, key="batch-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert UsageImport.objects.count() == 1 and UsageRecord.objects.count() == 1


def test_a_batch_costs_the_same_queries_for_one_event_or_many(finance, metered):
    accounts = [gb_account() for _ in range(3)]
    ingest_usage_events(events=[_event(accounts[0], "warm")], by=finance)

    def queries(events) -> int:
        with CaptureQueriesContext(connection) as context:
            ingest_usage_events(events=events, by=finance)
        return len(context)

    one = queries([_event(accounts[0], "one")])
    # 100 events: one INSERT on SQLite too (its bulk_create splits at 999 parameters)
    many = queries([_event(accounts[n % 3], f"many-{n}") for n in range(100)])
    resent = queries([_event(accounts[n % 3], f"many-{n}") for n in range(100)])
    assert one == many == resent <= 10
    assert UsageRecord.objects.count() == 102


@pytest.mark.postgres("two requests at once need real connections and row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_with_the_same_events_count_each_once(finance, metered):
    # given a batch that one request has inserted but not yet committed
    account = gb_account()
    events = [_event(account, f"c-{n}", quantity=str(n)) for n in range(50)]
    inserted, answers = threading.Event(), {}
    release = threading.Event()

    def first_request():
        try:
            with transaction.atomic():
                answers["first"] = ingest_usage_events(events=events, by=finance).created
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second_request():
        try:
            inserted.wait(timeout=30)
            answers["second"] = _counts(KeyClient(finance).post_json(URL, {"events": events}))
        finally:
            connection.close()

    threads = [threading.Thread(target=first_request), threading.Thread(target=second_request)]
    for thread in threads:
        thread.start()

    # when the second request waits on the first one's keys, the first commits
    inserted.wait(timeout=30)
    _wait_for_a_lock_wait()
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    # then each event is stored once and the second request counts them as duplicates
    assert answers["first"] == 50
    assert answers["second"] == (200, 50, 0, 50)
    assert UsageRecord.objects.filter(account=account).count() == 50


def _wait_for_a_lock_wait(seconds: float = 20) -> None:
    """Until another connection of this database waits on a row lock (the second insert)."""
    import time

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail("the second request never waited on the first one's keys")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("idempotency_key", "k\x00-1", "Event 0: the idempotency key must not contain NUL "
                                   "characters."),
    ("sku", "API\x00", "Event 0: the sku must not contain NUL characters."),
    ("account", 2**63, "Event 0: the account is our account id, a whole number."),
])
def test_text_the_database_cannot_hold_is_a_field_error(finance, metered, field, value,
                                                       message):
    with pytest.raises(ValidationError) as refused:
        ingest_usage_events(events=[{**_event(gb_account(), "k-1"), field: value}],
                            by=finance)
    assert refused.value.message_dict == {f"events[0].{field}": [message]}


@pytest.mark.postgres("two requests at once need real connections and row locks")
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_batch_with_other_facts_under_a_key_is_refused_once_the_first_commits(
        finance, metered):
    # given a batch inserted by one request, not yet committed
    reseed_migration_data()  # the transactional test before flushed the payment terms
    account = gb_account()
    first_events = [_event(account, f"c-{n}") for n in range(20)]
    second_events = [_event(account, "c-new"), _event(account, "c-7", quantity="99"),
                     _event(account, "c-3")]
    inserted, release, answers = threading.Event(), threading.Event(), {}

    def first_request():
        try:
            with transaction.atomic():
                answers["first"] = ingest_usage_events(events=first_events, by=finance).created
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second_request():
        try:
            inserted.wait(timeout=30)
            response = KeyClient(finance).post_json(URL, {"events": second_events})
            answers["second"] = (response.status_code, errors_of(response))
        finally:
            connection.close()

    threads = [threading.Thread(target=first_request), threading.Thread(target=second_request)]
    for thread in threads:
        thread.start()

    # when an overlapping batch with a changed quantity waits on the first one's keys
    inserted.wait(timeout=30)
    _wait_for_a_lock_wait()
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    # then it sees what the first committed: the changed event is named, nothing of it stored
    assert answers["first"] == 20
    assert answers["second"] == (400, {"events[1].idempotency_key": [
        "Event 1: the key 'c-7' was stored before with another product, quantity or time."]})
    assert sorted(UsageRecord.objects.values_list("idempotency_key", flat=True)) == sorted(
        f"c-{n}" for n in range(20))
