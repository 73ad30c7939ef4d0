"""Usage ingest on PostgreSQL (issue 19's goal: 20,000 events/s, each event counted once).

Figures, each on its own events (batches of 10,000 over 1,000 accounts):
- `usage_ingest_api`: POST /api/v1/usage-events/ with an API key (JSON, the ingest service's
  checks in plain functions, the batch by COPY into a temporary table, one INSERT ... ON
  CONFLICT DO NOTHING from it and one SELECT of the keys it skipped);
- `usage_ingest_service`: `billing.services.usage_ingest.ingest_usage_events` alone (what the
  HTTP request and JSON parsing add is the difference);
- `usage_ingest_resend`: every API batch sent again: nothing is created;
- `usage_ingest_concurrent`: two threads send the same new batches at the same time, so twice
  the events arrive; each must be stored once (`stored` and the sum of `created` are half of
  `events`). As for the resend, an event recognized as a duplicate counts as ingested.
Each line has the process's CPU seconds beside the wall clock (a busy machine stretches the
wall clock, not the CPU time) and the share of the raw COPY rate of the same machine.

`BENCH_USAGE_EVENTS=20000` for a quick try (default 100,000).
"""

import json
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402
from bench.reference import copy_rate  # noqa: E402

EVENTS = int(os.environ.get("BENCH_USAGE_EVENTS", "100000"))
BATCH = 10_000
ACCOUNTS = 1000
PREFIX = "Bench ingest"
USER = "bench-usage-ingest"
SKU = "BENCH-INGEST-CALLS"
GOAL_PER_SECOND = 20_000


def clean() -> None:
    """Remove what an earlier run wrote (raw SQL: one statement a table)."""
    from django.db import connection

    accounts = "SELECT id FROM customers_account WHERE name LIKE %s"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM billing_usagerecord WHERE account_id IN ({accounts})",
                       [f"{PREFIX}%"])
        cursor.execute("DELETE FROM billing_usageimport WHERE imported_by_id IN "
                       "(SELECT id FROM auth_user WHERE username = %s)", [USER])
        cursor.execute("DELETE FROM customers_account WHERE name LIKE %s", [f"{PREFIX}%"])


def seed():
    from django.contrib.auth import get_user_model

    from catalog.models import Product, ProductKind, RevenueRule
    from core.api_keys import issue_api_key
    from core.roles import Role, assign_role
    from customers.models import Account, PaymentTerms

    user, _ = get_user_model().objects.get_or_create(username=USER)
    assign_role(user, Role.FINANCE)
    Product.objects.get_or_create(sku=SKU, defaults={
        "name": "Bench ingested calls", "kind": ProductKind.USAGE,
        "revenue_rule": RevenueRule.AS_BILLED})
    terms = PaymentTerms.objects.get(code="net-30")
    accounts = Account.objects.bulk_create([
        Account(name=f"{PREFIX} {n:05d}", country="US", currency="USD", payment_terms=terms,
                owner=user) for n in range(ACCOUNTS)])
    token = issue_api_key(user=user, name="bench ingest", by=user).token
    return user, [account.pk for account in accounts], token


def batches(account_ids, label: str) -> list[list[dict]]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    return [[{"account": account_ids[n % len(account_ids)], "sku": SKU,
              "quantity": str(1 + n % 7), "timestamp": (start + timedelta(seconds=n)).isoformat(),
              "idempotency_key": f"{label}-{n}"}
             for n in range(first, min(first + BATCH, EVENTS))]
            for first in range(0, EVENTS, BATCH)]


def client_for(token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def bodies(sent: list[list[dict]]) -> list[str]:
    """The requests' JSON, encoded before the clock starts: a sender encodes on its own
    machine, so the figure is the server's work (the test client's renderer took a tenth of it)."""
    return [json.dumps({"events": events}) for events in sent]


def post_all(token, sent: list[str]) -> list[dict]:
    client = client_for(token)
    answers = []
    for body in sent:
        response = client.post("/api/v1/usage-events/", body, content_type="application/json")
        assert response.status_code in (200, 201), response.content[:500]
        answers.append(response.json())
    return answers


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def report(figure: str, seconds: float, cpu: float, copy: float, *, received: int = EVENTS,
           **extra) -> None:
    """One figure: `received` events (stored or recognized as duplicates) in `seconds`."""
    rate = received / seconds
    emit(figure, events=received, batch=BATCH, seconds=round(seconds, 2),
         cpu_seconds=round(cpu, 2), events_per_second=round(rate),
         copy_share=round(rate / copy, 3), goal_per_second=GOAL_PER_SECOND,
         met=rate >= GOAL_PER_SECOND, **extra)


def stored(account_ids, label: str) -> int:
    from billing.models import UsageRecord

    return UsageRecord.objects.filter(account_id__in=account_ids,
                                      idempotency_key__startswith=f"{label}-").count()


def concurrently(token, sent) -> list[dict]:
    """Two threads send the same batches, each its own connection, starting together."""
    from django.db import connection

    start, answers = threading.Barrier(2), [[], []]

    def run(slot: int) -> None:
        try:
            start.wait()
            answers[slot] = post_all(token, sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers[0] + answers[1]


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection

    from billing.services.usage_ingest import ingest_usage_events

    settings.API_RATE_LIMIT = "100000/min"
    copy = copy_rate()
    clean()
    user, account_ids, token = seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    sent = bodies(batches(account_ids, "api"))
    client_for(token).get("/api/v1/products/")  # a warm server: URLs and views imported
    answers, seconds, cpu = timed(lambda: post_all(token, sent))
    report("usage_ingest_api", seconds, cpu, copy, stored=stored(account_ids, "api"),
           created=sum(a["created"] for a in answers))

    direct = batches(account_ids, "service")
    results, seconds, cpu = timed(lambda: [ingest_usage_events(events=events, by=user)
                                           for events in direct])
    report("usage_ingest_service", seconds, cpu, copy, stored=stored(account_ids, "service"),
           created=sum(r.created for r in results))

    answers, seconds, cpu = timed(lambda: post_all(token, sent))
    report("usage_ingest_resend", seconds, cpu, copy, stored=stored(account_ids, "api"),
           created=sum(a["created"] for a in answers),
           duplicates=sum(a["duplicates"] for a in answers))

    shared = bodies(batches(account_ids, "concurrent"))
    answers, seconds, cpu = timed(lambda: concurrently(token, shared))
    report("usage_ingest_concurrent", seconds, cpu, copy, received=2 * EVENTS,
           stored=stored(account_ids, "concurrent"), created=sum(a["created"] for a in answers),
           duplicates=sum(a["duplicates"] for a in answers))


if __name__ == "__main__":
    main()
