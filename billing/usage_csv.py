"""Reading a usage CSV (columns account, sku, quantity, timestamp, idempotency_key); pure, no ORM.

`parse_usage` checks each row's shape; `resolve_usage` checks the rows against what the
database knows (handed in as plain mappings by the service). Every bad row is reported as
"Line N: reason", so the caller refuses the whole file at once.

A key already stored with the same account, product, quantity and time is a resend and counts
once; the same key with anything different is a conflict (a tampered or wrong file) and refuses
the file.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from core.csv_files import date_range_problem, open_csv

COLUMNS = ("account", "sku", "quantity", "timestamp", "idempotency_key")
QUANTITY_PLACES = 6  # UsageRecord.quantity is DecimalField(max_digits=19, decimal_places=6)
MAX_QUANTITY = Decimal(10) ** 13
MAX_KEY_LENGTH = 200
MAX_ROWS = 200_000  # a bigger file is split by the sender; this one is read in memory


@dataclass(frozen=True)
class UsageRow:
    line: int
    account: str
    sku: str
    quantity: Decimal
    occurred_at: datetime
    idempotency_key: str


@dataclass(frozen=True)
class ResolvedUsage:
    line: int
    account_id: int
    product_id: int
    quantity: Decimal
    occurred_at: datetime
    idempotency_key: str

    @property
    def fact(self) -> tuple:
        return (self.product_id, self.quantity, self.occurred_at)


def parse_quantity(text: str, errors: list[str]) -> Decimal | None:
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        errors.append(f"the quantity {text!r} is not a number")
        return None
    if not quantity.is_finite() or quantity < 0:
        errors.append(f"the quantity {text} must be zero or more")
    elif quantity.as_tuple().exponent < -QUANTITY_PLACES:
        errors.append(f"the quantity {text} has more than {QUANTITY_PLACES} decimal places")
    elif quantity >= MAX_QUANTITY:
        errors.append(f"the quantity {text} is too large")
    else:
        return quantity
    return None


def parse_timestamp(text: str, zone: tzinfo, errors: list[str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors.append(f"the timestamp {text!r} is not like 2026-11-01T13:45:00Z")
        return None
    if problem := date_range_problem(moment.date(), "timestamp"):
        errors.append(problem.replace(moment.date().isoformat(), text, 1))
        return None
    # A time without an offset is read in the business's time zone.
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _row(raw: dict, line: int, zone: tzinfo) -> tuple[UsageRow | None, list[str]]:
    errors = []
    values = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    for column in ("account", "sku", "quantity", "timestamp", "idempotency_key"):
        if not values[column]:
            errors.append(f"the {column.replace('_', ' ')} is missing")
    if len(values["idempotency_key"]) > MAX_KEY_LENGTH:
        errors.append(f"the idempotency key is longer than {MAX_KEY_LENGTH} characters")
    quantity = parse_quantity(values["quantity"], errors) if values["quantity"] else None
    moment = parse_timestamp(values["timestamp"], zone, errors) if values["timestamp"] else None
    if None in raw:
        errors.append("the row has more columns than the header")
    if errors:
        return None, errors
    return UsageRow(line, values["account"], values["sku"], quantity, moment,
                    values["idempotency_key"]), []


def parse_usage(content: bytes | str, *, zone: tzinfo) -> tuple[list[UsageRow], list[str]]:
    """The file's rows and every problem of shape, each as "Line N: reason"; rows are only
    meaningful when there are no problems."""
    reader, problems = open_csv(content, COLUMNS)
    if reader is None:
        return [], problems
    rows, errors = [], []
    try:
        for raw in reader:
            if reader.line_num > MAX_ROWS + 1:
                errors.append(f"Line {reader.line_num}: the file has more than {MAX_ROWS} rows; "
                              "split it.")
                break
            row, problems = _row(raw, reader.line_num, zone)
            if problems:
                errors.append(f"Line {reader.line_num}: {'; '.join(problems)}.")
            else:
                rows.append(row)
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: {error}.")
    if not rows and not errors:
        errors.append("The file has no usage rows.")
    return rows, errors


def billed_period(periods, day: date) -> str:
    for start, end, label in periods:
        if start <= day <= end:
            return f"{start}..{end} ({label})"
    return ""


def resolve_usage(rows: list[UsageRow], *, accounts: Mapping[str, int | None],
                  products: Mapping[str, tuple[int, bool]],
                  stored: Mapping[tuple[int, str], tuple],
                  billed: Mapping[tuple[int, int], list[tuple[date, date, str]]] | None = None,
                  zone: tzinfo | None = None) -> tuple[list[ResolvedUsage], list[str]]:
    """The rows with ids instead of names, and every problem as "Line N: reason".

    `accounts` maps what the file names an account by to its id (None when ambiguous);
    `products` maps a SKU to (id, is metered); `stored` maps (account id, key) to the stored
    record's (product id, quantity, occurred at); `billed` maps (account id, product id) to the
    usage periods already invoiced (first day, last day, invoice): new usage in one of them
    would never be rated, so it is refused (a resent key already stored is not new)."""
    billed = billed or {}
    resolved, errors, seen = [], [], {}
    for row in rows:
        problems = []
        account_id = accounts.get(row.account, 0)
        if account_id is None:
            problems.append(f"account {row.account!r} names more than one account; use its id")
        elif not account_id:
            problems.append(f"unknown account {row.account!r}")
        product_id, metered = products.get(row.sku, (None, False))
        if product_id is None:
            problems.append(f"unknown SKU {row.sku!r}")
        elif not metered:
            problems.append(f"{row.sku} is not a metered (usage) product")
        if not problems:
            usage = ResolvedUsage(row.line, account_id, product_id, row.quantity, row.occurred_at,
                                  row.idempotency_key)
            key = (account_id, row.idempotency_key)
            if key in seen:
                problems.append(f"the idempotency key {row.idempotency_key!r} is already on "
                                f"line {seen[key]}")
            elif key in stored and stored[key] != usage.fact:
                problems.append(f"the idempotency key {row.idempotency_key!r} was imported "
                                "before with another product, quantity or time")
            elif key not in stored and (period := billed_period(
                    billed.get((account_id, product_id), ()),
                    row.occurred_at.astimezone(zone).date() if zone else
                    row.occurred_at.date())):
                problems.append(f"the usage falls in the period {period} already invoiced; "
                                "bill it with a manual charge instead")
            else:
                seen[key] = row.line
                resolved.append(usage)
        if problems:
            errors.append(f"Line {row.line}: {'; '.join(problems)}.")
    return resolved, errors
