"""Reading a usage file (CSV or XLSX; columns account, sku, quantity, timestamp,
idempotency_key) through `core.imports`, as every import is read; pure, no ORM.

`parse_usage` checks each row's shape; `resolve_usage` checks the rows against what the
database knows (handed in as plain mappings by the service). Every bad row is reported as
"Line N: reason", so the caller refuses the whole file at once. `parse_quantity` and
`parse_timestamp` are the value rules, shared with the usage API.

A key already stored with the same account, product, quantity and time is a resend and counts
once; the same key with anything different is a conflict (a tampered or wrong file) and refuses
the file.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from billing.account_references import account_reference
from billing.rating import local_day
from core.csv_files import date_range_problem
from core.imports import RowReader, TableRefused, read_rows, read_table

COLUMNS = ("account", "sku", "quantity", "timestamp", "idempotency_key")
QUANTITY_PLACES = 6  # UsageRecord.quantity is DecimalField(max_digits=19, decimal_places=6)
MAX_QUANTITY = Decimal(10) ** 13
MAX_KEY_LENGTH = 200
MAX_BYTES = 20 * 1024 * 1024  # ~200,000 rows; refused before parsing, so a bigger file is split
MAX_ROWS = 200_000  # the file is read in memory; an XLSX packs more rows into the same bytes


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


def _row(cells: RowReader, zone: tzinfo) -> UsageRow:
    # Every missing cell first, then the values' own problems, in the columns' order.
    account, sku = cells.text("account"), cells.text("sku")
    quantity_text, timestamp_text = cells.text("quantity"), cells.text("timestamp")
    key = cells.text("idempotency_key", max_length=MAX_KEY_LENGTH)
    quantity = parse_quantity(quantity_text, cells.problems) if quantity_text else None
    moment = parse_timestamp(timestamp_text, zone, cells.problems) if timestamp_text else None
    return UsageRow(cells.row.line, account, sku, quantity, moment, key)


def parse_usage(content: bytes | str, *, zone: tzinfo, filename: str = "usage.csv"
                ) -> tuple[list[UsageRow], list[str]]:
    """The file's rows (CSV or XLSX, by the file name) and every problem of shape, each as
    "Line N: reason"; rows are only meaningful when there are no problems."""
    try:
        table = read_table(content, filename, required=COLUMNS, max_bytes=MAX_BYTES,
                           max_rows=MAX_ROWS)
    except TableRefused as refused:
        return [], refused.problems
    return read_rows(table, lambda cells: _row(cells, zone), empty="The file has no usage rows.")


def billed_period(periods, day: date) -> str:
    for start, end, label in periods:
        if start <= day <= end:
            return f"{start}..{end} ({label})"
    return ""


def _references(row: UsageRow, accounts: Mapping[str, int | None],
                products: Mapping[str, tuple[int, bool]]) -> tuple[int, int, list[str]]:
    """The row's account and product ids, and why they cannot be used."""
    account_id, problems = account_reference(row.account, accounts)
    product_id, metered = products.get(row.sku, (None, False))
    if product_id is None:
        problems.append(f"unknown SKU {row.sku!r}")
    elif not metered:
        problems.append(f"{row.sku} is not a metered (usage) product")
    return account_id, product_id, problems


def _key_problem(usage: ResolvedUsage, seen: Mapping[tuple[int, str], int],
                 stored: Mapping[tuple[int, str], tuple], billed: Mapping,
                 zones: Mapping[int, tzinfo]) -> str:
    """Why the usage's key cannot be taken: repeated in the file, changed since it was stored,
    or new in a period already invoiced ("" when it can)."""
    key = (usage.account_id, usage.idempotency_key)
    if key in seen:
        return f"the idempotency key {usage.idempotency_key!r} is already on line {seen[key]}"
    if key in stored:
        return ("" if stored[key] == usage.fact else
                f"the idempotency key {usage.idempotency_key!r} was imported before with "
                "another product, quantity or time")
    periods = billed.get((usage.account_id, usage.product_id))
    if periods and (period := billed_period(
            periods, local_day(usage.occurred_at, zones[usage.account_id]))):
        return (f"the usage falls in the period {period} already invoiced; bill it with a "
                "manual charge instead")
    return ""


def resolve_usage(rows: list[UsageRow], *, accounts: Mapping[str, int | None],
                  products: Mapping[str, tuple[int, bool]],
                  stored: Mapping[tuple[int, str], tuple],
                  billed: Mapping[tuple[int, int], list[tuple[date, date, str]]] | None = None,
                  zones: Mapping[int, tzinfo] | None = None,
                  ) -> tuple[list[ResolvedUsage], list[str]]:
    """The rows with ids instead of names, and every problem as "Line N: reason".

    `accounts` maps what the file names an account by to its id (None when ambiguous);
    `products` maps a SKU to (id, is metered); `stored` maps (account id, key) to the stored
    record's (product id, quantity, occurred at); `billed` maps (account id, product id) to the
    usage periods already invoiced (first day, last day, invoice): new usage in one of them
    would never be rated, so it is refused (a resent key already stored is not new); the day
    of a usage is its day in its account's time zone (`zones`, by account id, needed with
    `billed`)."""
    billed, zones = billed or {}, zones or {}
    resolved, errors, seen = [], [], {}
    for row in rows:
        account_id, product_id, problems = _references(row, accounts, products)
        if not problems:
            usage = ResolvedUsage(row.line, account_id, product_id, row.quantity,
                                  row.occurred_at, row.idempotency_key)
            if problem := _key_problem(usage, seen, stored, billed, zones):
                problems.append(problem)
            else:
                seen[(account_id, row.idempotency_key)] = row.line
                resolved.append(usage)
        if problems:
            errors.append(f"Line {row.line}: {'; '.join(problems)}.")
    return resolved, errors
