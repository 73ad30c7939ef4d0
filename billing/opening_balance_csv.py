"""Reading an opening-balance file (CSV or XLSX) of open invoices from the previous system
(columns number, account, currency, issue_date, due_date, amount); pure, no ORM.

`parse_opening_balances` checks each row's shape; `resolve_opening_balances` checks the rows
against what the database knows (plain mappings handed in by the service). Every bad row is
reported as "Line N: reason", so the caller refuses the whole file.
"""

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing.account_references import account_reference
from core.imports import RowReader, TableRefused, read_rows, read_table
from core.money import minor_units

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


def _row(cells: RowReader, currencies: Collection[str], today: date) -> BalanceRow:
    number = cells.text("number", max_length=MAX_NUMBER_LENGTH)
    if OWN_SERIES.match(number):
        cells.refuse(f"the number {number} has the shape of this system's own invoice and "
                     "credit note numbers (INV-YYYY-NNNNNN, CN-YYYY-NNNNNN); keep the previous "
                     "system's numbers apart with a prefix of their own, such as "
                     f"OLD-{number}")
    account = cells.text("account")
    currency = cells.choice("currency", currencies)
    issue_on = cells.date("issue_date")
    due_on = cells.date("due_date")
    amount = cells.decimal("amount", positive=True, maximum=MAX_AMOUNT,
                           places=minor_units(currency) if currency else None)
    if issue_on and issue_on > today:
        cells.refuse(f"the issue date {issue_on} is after today ({today})")
    if issue_on and due_on and due_on < issue_on:
        cells.refuse(f"the due date {due_on} is before the issue date {issue_on}")
    return BalanceRow(cells.row.line, number, account, currency, issue_on, due_on, amount)


def parse_opening_balances(content: bytes | str, *, currencies: Collection[str], today: date,
                           filename: str = "opening-balances.csv"
                           ) -> tuple[list[BalanceRow], list[str]]:
    """The file's rows (CSV or XLSX) and every problem of shape, each as "Line N: reason"."""
    try:
        table = read_table(content, filename, required=COLUMNS)
    except TableRefused as refused:
        return [], refused.problems
    return read_rows(table, lambda cells: _row(cells, currencies, today),
                     empty="The file has no invoices.")


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
        account_id, problems = account_reference(row.account, accounts)
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
