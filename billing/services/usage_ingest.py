"""Usage events ingested in batches (the API's, up to MAX_EVENTS a request): every event of a
batch or none, each event counted once by its account and idempotency key, also when two
requests carry the same event at the same moment.

A batch is checked as a whole and every problem is named by the event's place in the batch
(from 0, as in the JSON array) and its field: `events[3].quantity`. Nothing is read or written
per event: one query each for the accounts, the products and the usage periods already
invoiced; on PostgreSQL the batch goes by COPY into a temporary table, then one INSERT from it
and one SELECT of what it skipped. The unique (account, idempotency key) of `UsageRecord`
decides what is new: the insert skips a key that is stored (ON CONFLICT DO NOTHING, which also
waits for a concurrent request holding the same key and skips it once that commits), and only
the events it skipped are compared with what is stored, in the database: the same facts are a
resend (a duplicate), other facts refuse the batch. The CSV import
(`billing.services.usage_import`) applies the same rules to a file.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from billing.models import UsageImport, UsageRecord
from billing.rating import local_day
from billing.selectors import account_zones
from billing.services.usage_import import billed_periods
from billing.usage_csv import MAX_KEY_LENGTH, billed_period, parse_quantity, parse_timestamp
from catalog.models import Product, ProductKind
from core import clock
from core.actors import require
from core.models import ExternalId
from customers.models import Account

# Events per request: parsed, checked and inserted in about half a second on PostgreSQL here;
# the request body is about 1.5 MB.
MAX_EVENTS = 10_000
MAX_SKU_LENGTH = 64
MAX_EXTERNAL_ID_LENGTH = 255
MAX_ID = 2**63 - 1  # a bigint


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One event as sent, its shape checked; the account is named by our id or its external id
    (`account_id` is 0 for the latter until resolved)."""

    index: int
    account_id: int
    account_external_id: str
    sku: str
    quantity: Decimal
    occurred_at: datetime
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class ResolvedEvent:
    index: int
    account_id: int
    product_id: int
    quantity: Decimal
    occurred_at: datetime
    idempotency_key: str

    @property
    def pair(self) -> tuple[int, str]:
        return self.account_id, self.idempotency_key

    @property
    def fact(self) -> tuple:
        return self.product_id, self.quantity, self.occurred_at


@dataclass(frozen=True)
class UsageIngestResult:
    usage_import: UsageImport
    received: int
    created: int

    @property
    def duplicates(self) -> int:
        return self.received - self.created


class _Problems:
    """Field errors of a batch, keyed `events[i].field`, each message naming the event."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, index: int, field: str, message: str) -> None:
        key = f"events[{index}].{field}" if field else f"events[{index}]"
        self.errors.setdefault(key, []).append(f"Event {index}: {message}.")

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors, code="bad_events")


def _text(event: Mapping, field: str, problems: _Problems, index: int, *,
          max_length: int, required: bool = True) -> str:
    value = event.get(field)
    if value is None or value == "":
        if required:
            problems.add(index, field, f"the {field.replace('_', ' ')} is missing")
        return ""
    if not isinstance(value, str):
        problems.add(index, field, f"the {field.replace('_', ' ')} must be text")
        return ""
    value = value.strip()
    if "\x00" in value:
        problems.add(index, field, f"the {field.replace('_', ' ')} must not contain NUL "
                                   "characters")
        return ""
    if len(value) > max_length:
        problems.add(index, field, f"the {field.replace('_', ' ')} is longer than "
                                   f"{max_length} characters")
        return ""
    return value


def _checked(found: list[str], problems: _Problems, index: int, field: str) -> None:
    for message in found:
        problems.add(index, field, message)


def _account(event: Mapping, problems: _Problems, index: int) -> tuple[int, str]:
    account, external = event.get("account"), event.get("account_external_id")
    if (account is None) == (external is None):
        problems.add(index, "account", "give the account id or its external id (one of "
                                       "them)")
        return 0, ""
    if account is not None:
        if isinstance(account, bool) or not isinstance(account, int) or not (
                0 < account <= MAX_ID):
            problems.add(index, "account", "the account is our account id, a whole number")
            return 0, ""
        return account, ""
    return 0, _text(event, "account_external_id", problems, index,
                    max_length=MAX_EXTERNAL_ID_LENGTH)


def _quantity_of(value, problems: _Problems, index: int) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(index, "quantity", "the quantity must be a number (or its text)")
        return None
    found: list[str] = []
    quantity = parse_quantity(str(value).strip(), found)
    _checked(found, problems, index, "quantity")
    return quantity


def _moment(value, zone: tzinfo, problems: _Problems, index: int) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(index, "timestamp", "the timestamp is missing (ISO 8601, like "
                                         "2026-11-01T13:45:00Z)")
        return None
    found: list[str] = []
    moment = parse_timestamp(value.strip(), zone, found)
    _checked(found, problems, index, "timestamp")
    return moment


def parse_events(events, *, zone: tzinfo) -> list[UsageEvent]:
    """The batch as sent (a list of JSON objects) checked for shape; raises a ValidationError
    naming every bad event and field. No database."""
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": ["Send the events as a non-empty list."]},
                              code="bad_events")
    if len(events) > MAX_EVENTS:
        raise ValidationError({"events": [f"At most {MAX_EVENTS} events a request; this one "
                                          f"has {len(events)}: split it."]}, code="bad_events")
    problems, parsed = _Problems(), []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            problems.add(index, "", "an event is an object with account, sku, quantity, "
                                    "timestamp and idempotency_key")
            continue
        before = len(problems.errors)
        account_id, external_id = _account(event, problems, index)
        sku = _text(event, "sku", problems, index, max_length=MAX_SKU_LENGTH)
        quantity = _quantity_of(event.get("quantity"), problems, index)
        moment = _moment(event.get("timestamp"), zone, problems, index)
        key = _text(event, "idempotency_key", problems, index, max_length=MAX_KEY_LENGTH)
        if len(problems.errors) == before:
            parsed.append(UsageEvent(index, account_id, external_id, sku, quantity, moment, key))
    problems.raise_any()
    return parsed


def _accounts(events: list[UsageEvent]) -> tuple[set[int], dict[str, int]]:
    """The batch's account ids that exist, and its external ids → our account ids."""
    ids = {e.account_id for e in events if e.account_id}
    known = set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    external = {e.account_external_id for e in events if e.account_external_id}
    by_external = dict(ExternalId.objects.filter(
        content_type=ContentType.objects.get_for_model(Account), value__in=external,
    ).values_list("value", "object_id")) if external else {}
    return known, by_external


def _resolved(events: list[UsageEvent], problems: _Problems) -> list[ResolvedEvent]:
    """Ids for names, one event per key: a key repeated with the same facts is one event, with
    other facts a problem."""
    known, by_external = _accounts(events)
    products = {sku: (pk, kind == ProductKind.USAGE) for pk, sku, kind in Product.objects.filter(
        sku__in={e.sku for e in events}).values_list("pk", "sku", "kind")}
    resolved, first = [], {}
    for event in events:
        account_id = event.account_id if event.account_id in known else by_external.get(
            event.account_external_id, 0)
        if not account_id:
            field = "account" if event.account_id else "account_external_id"
            problems.add(event.index, field, f"no account "
                         f"{event.account_id or repr(event.account_external_id)}")
        product_id, metered = products.get(event.sku, (0, False))
        if not product_id:
            problems.add(event.index, "sku", f"unknown SKU {event.sku!r}")
        elif not metered:
            problems.add(event.index, "sku", f"{event.sku} is not a metered (usage) product")
        if not account_id or not metered:
            continue
        usage = ResolvedEvent(event.index, account_id, product_id, event.quantity,
                              event.occurred_at, event.idempotency_key)
        earlier = first.get(usage.pair)
        if earlier is None:
            first[usage.pair] = usage
            resolved.append(usage)
        elif earlier.fact != usage.fact:
            problems.add(event.index, "idempotency_key",
                         f"the key {event.idempotency_key!r} is on event {earlier.index} with "
                         f"another product, quantity or time")
    return resolved


def _billed_problems(events: list[ResolvedEvent], problems: _Problems) -> None:
    """New usage in a period already invoiced would never be rated: refused (its day is the
    day in its account's time zone)."""
    if not events:
        return
    billed = billed_periods(events)
    zones = account_zones({event.account_id for event in events}) if billed else {}
    for event in events:
        periods = billed.get((event.account_id, event.product_id))
        if periods and (period := billed_period(
                periods, local_day(event.occurred_at, zones[event.account_id]))):
            problems.add(event.index, "timestamp", f"the usage falls in the period {period} "
                                                   "already invoiced")


def _digest(events: list[ResolvedEvent]) -> str:
    return hashlib.sha256("\n".join(
        f"{e.account_id}\t{e.idempotency_key}\t{e.product_id}\t{e.quantity}\t"
        f"{e.occurred_at.isoformat()}" for e in events).encode()).hexdigest()


def _insert_new_orm(events: list[ResolvedEvent], usage_import: UsageImport,
                    ) -> tuple[set[tuple[int, str]], list[int]]:
    """`_insert_new` by the ORM (SQLite, tests)."""
    UsageRecord.objects.bulk_create(
        [UsageRecord(account_id=e.account_id, product_id=e.product_id, quantity=e.quantity,
                     occurred_at=e.occurred_at, idempotency_key=e.idempotency_key,
                     usage_import=usage_import, created_at=clock.now()) for e in events],
        ignore_conflicts=True)
    inserted = set(UsageRecord.objects.filter(usage_import=usage_import)
                   .values_list("account_id", "idempotency_key"))
    skipped = {e.pair: e for e in events if e.pair not in inserted}
    stored = UsageRecord.objects.filter(
        account_id__in={a for a, _ in skipped}, idempotency_key__in={k for _, k in skipped},
    ).values_list("account_id", "idempotency_key", "product_id", "quantity", "occurred_at")
    return set(skipped), sorted(skipped[a, k].index for a, k, *fact in stored
                                if (a, k) in skipped and skipped[a, k].fact != tuple(fact))


STAGING = "usage_ingest_batch"


def _stage(cursor, events: list[ResolvedEvent]) -> None:
    """The batch into a temporary table by COPY (no parameter per value, which the driver
    would quote in Python), dropped at commit."""
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING}; "
                   f"CREATE TEMPORARY TABLE {STAGING} (position integer, account_id bigint, "
                   f"product_id bigint, quantity numeric, occurred_at timestamptz, "
                   f"idempotency_key text) ON COMMIT DROP")
    with cursor.cursor.copy(f"COPY {STAGING} FROM STDIN") as copy:
        for e in events:
            copy.write_row((e.index, e.account_id, e.product_id, e.quantity, e.occurred_at,
                            e.idempotency_key))


def _insert_new(events: list[ResolvedEvent], usage_import: UsageImport,
                ) -> tuple[set[tuple[int, str]], list[int]]:
    """Insert the events whose key is not stored: the (account, key) pairs skipped, and the
    places of those stored before with other facts. Rows go in (account, key) order, so two
    batches sharing keys wait for each other in one order and never deadlock; the second
    statement sees what a concurrent batch committed while the first waited for it."""
    if connection.vendor != "postgresql":
        return _insert_new_orm(events, usage_import)
    table = UsageRecord._meta.db_table
    with connection.cursor() as cursor, connection.wrap_database_errors:
        _stage(cursor, events)
        cursor.execute(
            f"INSERT INTO {table} (account_id, product_id, quantity, occurred_at, "
            f"idempotency_key, usage_import_id, created_at) "
            f"SELECT account_id, product_id, quantity, occurred_at, idempotency_key, %s, %s "
            f"FROM {STAGING} ORDER BY account_id, idempotency_key "
            f"ON CONFLICT ON CONSTRAINT usagerecord_once_per_key DO NOTHING "
            f"RETURNING account_id, idempotency_key", [usage_import.pk, clock.now()])
        inserted = set(cursor.fetchall())
        skipped = [e for e in events if e.pair not in inserted]
        if not skipped:
            return set(), []
        # Those stored with other facts, by one probe of the unique index per skipped event
        # (LIMIT keeps the planner from hashing the whole table, as it did with stale
        # statistics).
        cursor.execute(
            f"SELECT b.position FROM {STAGING} b "
            f"JOIN unnest(%s::integer[]) AS k(position) USING (position) "
            f"CROSS JOIN LATERAL (SELECT u.product_id, u.quantity, u.occurred_at FROM {table} u "
            f"WHERE u.account_id = b.account_id AND u.idempotency_key = b.idempotency_key "
            f"LIMIT 1) s WHERE (s.product_id, s.quantity, s.occurred_at) IS DISTINCT FROM "
            f"(b.product_id, b.quantity, b.occurred_at)", [[e.index for e in skipped]])
        conflicting = sorted(position for (position,) in cursor.fetchall())
    return {e.pair for e in skipped}, conflicting


@transaction.atomic
def ingest_usage_events(*, events, by, name: str = "") -> UsageIngestResult:
    """Store every new event of the batch or none (raising a ValidationError naming each bad
    event and field); an event whose key is stored with the same facts counts once."""
    actor = require(by, "billing.import_usage", "You are not allowed to import usage.")
    # a time without an offset is read in the company's zone (the API's documented rule)
    parsed = parse_events(events, zone=timezone.get_current_timezone())
    problems = _Problems()
    resolved = _resolved(parsed, problems)
    usage_import = UsageImport.objects.create(
        file_name=(name or f"API batch of {len(parsed)}")[:255], sha256=_digest(resolved),
        row_count=len(parsed), imported_by=actor.user)
    skipped, conflicting = _insert_new(resolved, usage_import)
    by_index = {e.index: e for e in resolved}
    for index in conflicting:
        problems.add(index, "idempotency_key",
                     f"the key {by_index[index].idempotency_key!r} was stored before with "
                     "another product, quantity or time")
    _billed_problems([e for e in resolved if e.pair not in skipped], problems)
    problems.raise_any()  # rolls back what was inserted
    usage_import.created_count = len(resolved) - len(skipped)
    usage_import.save(update_fields=["created_count"])
    return UsageIngestResult(usage_import, received=len(parsed),
                             created=usage_import.created_count)
