"""Reading an exchange-rate file (columns currency, date, rate; CSV or XLSX); pure, no ORM.

Every bad row is reported with its line number and reason, so the caller can refuse the whole
file at once.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.imports import RowReader, TableRefused, read_table

COLUMNS = ("currency", "date", "rate")
MAX_RATE_PLACES = 8  # ExchangeRate.rate is DecimalField(max_digits=19, decimal_places=8)
MAX_RATE = Decimal(10) ** 11
MAX_BYTES = 2 * 1024 * 1024  # years of daily rates for every currency fit in a few hundred kB


@dataclass(frozen=True)
class RateRow:
    line: int
    currency: str
    valid_on: date
    rate: Decimal


def _read_row(cells: RowReader, currencies: set[str], functional: str) -> RateRow:
    currency = cells.text("currency").upper()
    if currency == functional:
        cells.refuse(f"{currency} is the functional currency (its rate is always 1)")
    elif currency and currency not in currencies:
        cells.refuse(f"unknown currency {currency!r} (known: {', '.join(sorted(currencies))})")
    valid_on = cells.date("date")
    rate = cells.decimal("rate", places=MAX_RATE_PLACES, positive=True, maximum=MAX_RATE)
    return RateRow(cells.row.line, currency, valid_on, rate)


def parse_rates(content: bytes | str, *, currencies: set[str], functional: str,
                filename: str = "rates.csv") -> tuple[list[RateRow], list[str]]:
    """The file's rows and every problem found, each as "Line N: reason"; rows are only
    meaningful when there are no problems."""
    try:
        table = read_table(content, filename, required=COLUMNS, max_bytes=MAX_BYTES)
    except TableRefused as refused:
        return [], refused.problems
    rows, errors, seen = [], [], {}
    for table_row in table.rows:
        cells = RowReader(table_row)
        row = _read_row(cells, currencies, functional)
        if not cells.problems and (row.currency, row.valid_on) in seen:
            cells.refuse(f"{row.currency} on {row.valid_on} is already on line "
                         f"{seen[row.currency, row.valid_on]}")
        if cells.problems:
            errors.append(cells.problem())
        else:
            seen[row.currency, row.valid_on] = row.line
            rows.append(row)
    if not rows and not errors:
        errors.append("The file has no rates.")
    return rows, errors
