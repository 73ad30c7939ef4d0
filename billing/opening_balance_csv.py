"""Reading an opening-balance CSV of open invoices from the previous system (columns number,
account, currency, issue_date, due_date, amount); pure, no ORM.

`parse_opening_balances` checks each row's shape; `resolve_opening_balances` checks the rows
against what the database knows (plain mappings handed in by the service). Every bad row is
reported as "Line N: reason", so the caller refuses the whole file.
"""

import csv
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from core.csv_files import open_csv
from core.money import round_money

COLUMNS = ("number", "account", "currency", "issue_date", "due_date", "amount")
MAX_NUMBER_LENGTH = 32  # Invoice.number
MAX_AMOUNT = Decimal(10) ** 14
# The shapes of this system's own gapless series (invoices INV-YYYY-NNNNNN, credit notes
# CN-YYYY-NNNNNN): a migrated number of that shape would take a number the series will give.
OWN_SERIES = re.compile(r"^\s*(INV|CN)\s*-\s*\d{4}\s*-\s*\d+\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class BalanceRow:
    line: int
    number: str
    account: str
    currency: str
    issue_on: date
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class OpenInvoice:
    line: int
    number: str
    account_id: int
    currency: str
    issue_on: date
    due_on: date
    amount: Decimal
    rate: Decimal


def _date(text: str, label: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(f"the {label} {text!r} is not a date like 2026-01-31")
        return None


def _amount(text: str, currency: str, errors: list[str]) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors.append(f"the amount {text!r} is not a number")
        return None
    if not amount.is_finite() or amount <= 0:
        errors.append(f"the amount {text} must be more than zero (only open invoices)")
    elif amount >= MAX_AMOUNT:
        errors.append(f"the amount {text} is too large")
    elif currency and round_money(amount, currency) != amount:
        errors.append(f"the amount {text} is not rounded to {currency}'s minor unit")
    else:
        return amount
    return None


def _row(raw: dict, line: int, currencies: Collection[str],
         today: date) -> tuple[BalanceRow | None, list[str]]:
    errors = []
    v = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    for column in COLUMNS:
        if not v[column]:
            errors.append(f"the {column.replace('_', ' ')} is missing")
    if len(v["number"]) > MAX_NUMBER_LENGTH:
        errors.append(f"the number is longer than {MAX_NUMBER_LENGTH} characters")
    elif OWN_SERIES.match(v["number"]):
        errors.append(f"the number {v['number']} has the shape of this system's own invoice and "
                      "credit note numbers (INV-YYYY-NNNNNN, CN-YYYY-NNNNNN); keep the previous "
                      "system's numbers apart with a prefix of their own, such as "
                      f"OLD-{v['number']}")
    currency = v["currency"].upper()
    if currency and currency not in currencies:
        errors.append(f"unknown currency {currency!r} (in use: {', '.join(sorted(currencies))})")
        currency = ""
    issue_on = _date(v["issue_date"], "issue date", errors) if v["issue_date"] else None
    due_on = _date(v["due_date"], "due date", errors) if v["due_date"] else None
    amount = _amount(v["amount"], currency, errors) if v["amount"] else None
    if issue_on and issue_on > today:
        errors.append(f"the issue date {issue_on} is after today ({today})")
    if issue_on and due_on and due_on < issue_on:
        errors.append(f"the due date {due_on} is before the issue date {issue_on}")
    if None in raw:
        errors.append("the row has more columns than the header")
    if errors:
        return None, errors
    return BalanceRow(line, v["number"], v["account"], currency, issue_on, due_on, amount), []


def parse_opening_balances(content: bytes | str, *, currencies: Collection[str],
                           today: date) -> tuple[list[BalanceRow], list[str]]:
    """The file's rows and every problem of shape, each as "Line N: reason"."""
    reader, problems = open_csv(content, COLUMNS)
    if reader is None:
        return [], problems
    rows, errors = [], []
    try:
        for raw in reader:
            row, problems = _row(raw, reader.line_num, currencies, today)
            if problems:
                errors.append(f"Line {reader.line_num}: {'; '.join(problems)}.")
            else:
                rows.append(row)
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: {error}.")
    if not rows and not errors:
        errors.append("The file has no invoices.")
    return rows, errors


def resolve_opening_balances(
        rows: list[BalanceRow], *, accounts: Mapping[str, int | None],
        taken_numbers: Collection[str],
        rate_of: Callable[[str, date], Decimal]) -> tuple[list[OpenInvoice], list[str]]:
    """The rows with account ids and the rate of their issue date, and every problem.

    `accounts` maps what the file names an account by to its id (None when ambiguous);
    `taken_numbers` are invoice numbers already in use; `rate_of(currency, day)` raises
    LookupError with the reason when no rate is known."""
    resolved, errors, seen = [], [], {}
    for row in rows:
        problems = []
        account_id = accounts.get(row.account, 0)
        if account_id is None:
            problems.append(f"account {row.account!r} names more than one account; use its id")
        elif not account_id:
            problems.append(f"unknown account {row.account!r}")
        if row.number in taken_numbers:
            problems.append(f"invoice number {row.number} already exists")
        elif row.number in seen:
            problems.append(f"invoice number {row.number} is already on line {seen[row.number]}")
        rate = None
        try:
            rate = rate_of(row.currency, row.issue_on)
        except LookupError as error:
            problems.append(str(error).rstrip("."))
        if problems:
            errors.append(f"Line {row.line}: {'; '.join(problems)}.")
            continue
        seen[row.number] = row.line
        resolved.append(OpenInvoice(row.line, row.number, account_id, row.currency, row.issue_on,
                                    row.due_on, row.amount, rate))
    return resolved, errors
