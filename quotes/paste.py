"""Reading a pasted list of SKUs and quantities (from a spreadsheet, an email, a CSV): pure.

    parse_pasted(text) -> list[PastedRow]

One product a line: the SKU, then optionally a quantity (1 when left out), separated by a tab
(a spreadsheet's copy), a comma, a semicolon or spaces. A header line ("SKU, Quantity") and
blank lines are skipped. A line starting with "#" names the section the rows after it go
under ("# Hardware"). A quantity is a positive number and may group thousands ("1,200",
"1 200"). Each row keeps its line number and an error in plain words, so the preview can show
every problem at once.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_ROWS = 1_000
SECTION_LENGTH = 100  # QuoteLine.section
_SEPARATOR = re.compile(r"\t|,|;|\s+")
HEADER = re.compile(r"^\s*(sku|product|item)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PastedRow:
    number: int  # the line's number in the pasted text, from 1
    sku: str
    quantity: Decimal | None
    error: str = ""
    section: str = ""


def _quantity(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(" ", "").replace(",", "") if text else "1")
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _row(number: int, line: str, section: str) -> PastedRow:
    if "\t" in line:
        sku, _, rest = line.partition("\t")
    else:
        parts = _SEPARATOR.split(line.strip(), maxsplit=1)
        sku, rest = parts[0], parts[1] if len(parts) > 1 else ""
    return pasted_row(number, sku, rest.strip().strip("\t,;").strip(), section)


def pasted_row(number: int, sku: str, quantity: str, section: str) -> PastedRow:
    """One row from its SKU and quantity as written (empty: 1), with its error if any."""
    sku, rest = sku.strip().upper(), quantity.strip()
    value = _quantity(rest)
    if value is None:
        return PastedRow(number, sku, None, f"“{rest}” is not a quantity: write a number such "
                                            f"as 12 or 2.5.", section)
    if value <= 0:
        return PastedRow(number, sku, value, "The quantity must be greater than zero.",
                         section)
    return PastedRow(number, sku, value, section=section)


def parse_pasted(text: str) -> list[PastedRow]:
    """Every non-blank, non-header line as a row (SKU upper-cased), with its error if any."""
    rows = []
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            section = line.strip().strip("#").strip()[:SECTION_LENGTH]
            continue
        if len(rows) == MAX_ROWS:
            rows.append(PastedRow(number, "", None, f"Paste at most {MAX_ROWS:,} lines at a "
                                                    f"time."))
            break
        row = _row(number, line, section)
        if not rows and row.quantity is None and HEADER.match(line):
            continue  # a header line: "SKU, Quantity"
        rows.append(row)
    return rows
