"""Reading an exchange-rate CSV (columns currency, date, rate); pure, no ORM.

Every bad row is reported with its line number and reason, so the caller can refuse the whole
file at once.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from core.csv_files import date_range_problem, open_csv

COLUMNS = ("currency", "date", "rate")
MAX_RATE_PLACES = 8  # ExchangeRate.rate is DecimalField(max_digits=19, decimal_places=8)
MAX_RATE = Decimal(10) ** 11


@dataclass(frozen=True)
class RateRow:
    line: int
    currency: str
    valid_on: date
    rate: Decimal


def _row_errors(raw: dict, currencies: set[str], functional: str) -> tuple[list[str], tuple]:
    errors = []
    currency = (raw.get("currency") or "").strip().upper()
    if not currency:
        errors.append("the currency is missing")
    elif currency == functional:
        errors.append(f"{currency} is the functional currency (its rate is always 1)")
    elif currency not in currencies:
        errors.append(f"unknown currency {currency!r} (known: {', '.join(sorted(currencies))})")
    text_date = (raw.get("date") or "").strip()
    try:
        valid_on = date.fromisoformat(text_date)
    except ValueError:
        valid_on = None
        errors.append(f"the date {text_date!r} is not a date like 2026-01-31")
    else:
        if problem := date_range_problem(valid_on, "date"):
            errors.append(problem)
    text_rate = (raw.get("rate") or "").strip()
    try:
        rate = Decimal(text_rate)
    except InvalidOperation:
        rate = None
        errors.append(f"the rate {text_rate!r} is not a number")
    else:
        if not rate.is_finite() or rate <= 0:
            errors.append(f"the rate {text_rate} must be positive")
        elif rate.as_tuple().exponent < -MAX_RATE_PLACES:
            errors.append(f"the rate {text_rate} has more than {MAX_RATE_PLACES} decimal places")
        elif rate >= MAX_RATE:
            errors.append(f"the rate {text_rate} is too large")
    if None in raw:
        errors.append("the row has more columns than the header")
    return errors, (currency, valid_on, rate)


def parse_rates(content: bytes | str, *, currencies: set[str],
                functional: str) -> tuple[list[RateRow], list[str]]:
    """The file's rows and every problem found, each as "Line N: reason"; rows are only
    meaningful when there are no problems."""
    reader, problems = open_csv(content, COLUMNS)
    if reader is None:
        return [], problems
    rows, errors, seen = [], [], {}
    try:
        for raw in reader:
            line = reader.line_num
            problems, (currency, valid_on, rate) = _row_errors(raw, currencies, functional)
            if not problems and (currency, valid_on) in seen:
                problems.append(f"{currency} on {valid_on} is already on line "
                                f"{seen[currency, valid_on]}")
            if problems:
                errors.append(f"Line {line}: {'; '.join(problems)}.")
            else:
                seen[currency, valid_on] = line
                rows.append(RateRow(line, currency, valid_on, rate))
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: {error}.")
    if not rows and not errors:
        errors.append("The file has no rates.")
    return rows, errors
