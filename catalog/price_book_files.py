"""Price book files: the columns, reading CSV or XLSX into numbered rows, and writing them.

One row per entry; tiered entries take one row per tier, repeating the SKU and billing period
(the entry's other columns are read from its first row). Line numbers are the file's own, the
header being line 1, so that errors point where a spreadsheet shows the row.
"""

import csv
import io

from core.imports import TableRow, read_table

COLUMNS = [
    "sku", "billing_period", "price_model", "unit_amount", "package_size", "minimum_amount",
    "percent", "percent_of_kind", "percent_of_family", "active",
    "included_units", "maximum_amount", "minimum_packages", "charge_at_zero", "fixed_fee",
    "free_transactions", "transaction_minimum", "transaction_maximum",
    "tier_from", "tier_up_to", "tier_unit_amount", "tier_flat_amount", "tier_block_size",
]
# The columns from included_units to transaction_maximum came in December 2026: a file without
# one leaves that option of an existing entry as it is (catalog.services.import_price_book).
REQUIRED_COLUMNS = ["sku", "billing_period", "price_model"]
FORMATS = {"csv": "text/csv",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def read_rows(data: bytes, filename: str) -> list[TableRow]:
    """The file's price rows with their line numbers (core.imports: TableRefused when the file
    cannot be read)."""
    return read_table(data, filename, required=REQUIRED_COLUMNS).rows


def write_rows(rows: list[dict], fmt: str) -> bytes:
    """The rows (dicts keyed by COLUMNS) as a CSV or XLSX file."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")
    from openpyxl import Workbook  # imported when a workbook is asked for, not at start-up

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Prices"
    sheet.append(COLUMNS)
    for row in rows:  # amounts as text, so no rate passes through a float
        sheet.append([row.get(column, "") for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
