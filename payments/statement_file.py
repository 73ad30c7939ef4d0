"""Reading a bank statement file (CSV or XLSX; columns date, amount, currency, reference and
optionally payer); pure, no ORM. The file is read through `core.imports`, as every import is:
size cap before parsing, NUL characters and overlong cells refused, amounts bounded and at the
currency's precision, dates between 1990 and today, known currencies only. Every bad line is
reported as "Line N: reason", so the caller refuses the whole file.

>>> lines, problems = read_statement(
...     b"date,amount,currency,reference\\n2026-11-20,100.00,usd,INV-1\\n2026-11-21,1.5,JPY,x\\n",
...     currencies=["USD", "JPY"], today=date(2026, 12, 1))
>>> [(line.line, line.amount, line.currency) for line in lines], problems
([(2, Decimal('100.00'), 'USD')], ['Line 3: the amount 1.5 has more than 0 decimal places.'])
"""

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.imports import RowReader, TableRefused, read_rows, read_table
from core.money import minor_units

COLUMNS = ("date", "amount", "currency", "reference", "payer")
REQUIRED = ("date", "amount", "currency", "reference")
MAX_LINES = 5000  # a month of a busy account; larger files are split by the bank export
MAX_BYTES = 2 * 1024 * 1024  # 5,000 lines of a bank export take about 500 kB
MAX_REFERENCE = 140  # StatementLine.reference: a SEPA remittance text is at most 140
MAX_PAYER = 200  # StatementLine.payer


@dataclass(frozen=True)
class ReadLine:
    line: int
    booked_on: date
    amount: Decimal
    currency: str
    reference: str
    payer: str


def line_fingerprint(booked_on: date, amount: Decimal, currency: str, reference: str,
                     payer: str) -> str:
    """A line's identity, blind to case and spacing in its texts (banks re-export both)."""
    def text(value):
        return " ".join(value.split()).casefold()
    key = "|".join([booked_on.isoformat(), f"{amount.normalize():f}", currency.upper(),
                    text(reference), text(payer)])
    return hashlib.sha256(key.encode()).hexdigest()


def fingerprint(line: ReadLine) -> str:
    return line_fingerprint(line.booked_on, line.amount, line.currency, line.reference,
                            line.payer)


def _line(cells: RowReader, currencies: Collection[str], today: date) -> ReadLine:
    booked_on = cells.date("date")
    if booked_on and booked_on > today:
        cells.refuse(f"the date {booked_on} is after today ({today}): a statement records what "
                     "the bank has booked")
    currency = cells.choice("currency", currencies)
    amount = cells.decimal("amount", places=minor_units(currency) if currency else None)
    if amount == 0:
        cells.refuse("the amount is zero")
    reference = cells.text("reference", required=False, max_length=MAX_REFERENCE)
    payer = cells.text("payer", required=False, max_length=MAX_PAYER)
    return ReadLine(cells.row.line, booked_on, amount, currency, reference, payer)


def read_statement(content: bytes | str, *, currencies: Collection[str], today: date,
                   filename: str = "statement.csv") -> tuple[list[ReadLine], list[str]]:
    """Every line of the file (money out as negative amounts) and every problem found, each as
    "Line N: reason"; the lines count only when there is no problem."""
    try:
        table = read_table(content, filename, required=REQUIRED, max_bytes=MAX_BYTES)
    except TableRefused as refused:
        return [], refused.problems
    if len(table.rows) > MAX_LINES:
        return [], [f"The file has more than {MAX_LINES:,} lines; split it by date."]
    return read_rows(table, lambda cells: _line(cells, currencies, today),
                     empty="Line 2: the file has a header but no lines.")
