"""Usage ingest through the API on PostgreSQL: batches of 10,000 events POSTed to
/api/v1/usage-events/ with an API key (JSON parsing, the serializer's checks, billing's import
service: checks against stored keys and billed periods, one bulk insert), then one batch sent
again, which must add nothing. Goal (issue 19): 20,000 events/s, each event counted once.
"""

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402

EVENTS = int(os.environ.get("BENCH_USAGE_EVENTS", "100000"))  # fewer for a quick try
BATCH = 10_000
ACCOUNTS = 1000
PREFIX = "Bench usage"
SKU = "BENCH-API-CALLS"
GOAL_PER_SECOND = 20_000


def clean() -> None:
    """Remove what an earlier run wrote (raw SQL: one statement a table)."""
    from django.db import connection

    accounts = "SELECT id FROM customers_account WHERE name LIKE %s"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM billing_usagerecord WHERE account_id IN ({accounts})",
                       [f"{PREFIX}%"])
        cursor.execute("DELETE FROM billing_usageimport WHERE file_name LIKE 'API batch%%'")
        cursor.execute("DELETE FROM customers_account WHERE name LIKE %s", [f"{PREFIX}%"])


def seed():
    from django.contrib.auth import get_user_model

    from catalog.models import Product, ProductKind, RevenueRule
    from core.api_keys import issue_api_key
    from core.roles import Role, assign_role
    from customers.models import Account, PaymentTerms

    user, _ = get_user_model().objects.get_or_create(username="bench-usage-finance")
    assign_role(user, Role.FINANCE)
    Product.objects.get_or_create(sku=SKU, defaults={
        "name": "Bench API calls", "kind": ProductKind.USAGE,
        "revenue_rule": RevenueRule.AS_BILLED})
    terms = PaymentTerms.objects.get(code="net-30")
    accounts = Account.objects.bulk_create([
        Account(name=f"{PREFIX} {n:05d}", country="US", currency="USD", payment_terms=terms,
                owner=user) for n in range(ACCOUNTS)])
    token = issue_api_key(user=user, name="bench", by=user).token
    return [account.pk for account in accounts], token


def batches(account_ids):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for first in range(0, EVENTS, BATCH):
        yield [{"account": account_ids[n % len(account_ids)], "sku": SKU,
                "quantity": str(1 + n % 7),
                "timestamp": (start + timedelta(seconds=n)).isoformat(),
                "idempotency_key": f"bench-{n}"}
               for n in range(first, min(first + BATCH, EVENTS))]


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from billing.models import UsageRecord

    settings.API_RATE_LIMIT = "100000/min"
    clean()
    account_ids, token = seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    sent = list(batches(account_ids))

    started = time.perf_counter()
    for events in sent:
        response = client.post("/api/v1/usage-events/", {"events": events}, format="json")
        assert response.status_code == 201, response.content[:500]
    seconds = time.perf_counter() - started

    again = client.post("/api/v1/usage-events/", {"events": sent[0]}, format="json").json()
    stored = UsageRecord.objects.filter(account_id__in=account_ids).count()
    emit("usage_api_ingest", events=EVENTS, batch=BATCH, seconds=round(seconds, 2),
         events_per_second=round(EVENTS / seconds), stored=stored,
         resend_created=again["created"], goal_per_second=GOAL_PER_SECOND)


if __name__ == "__main__":
    main()
