"""Price book files: the columns, reading CSV or XLSX into numbered rows, and writing them.

One row per entry; tiered entries take one row per tier, repeating the SKU and billing period
(the entry's other columns are read from its first row). Line numbers are the file's own, the
header being line 1, so that errors point where a spreadsheet shows the row.
"""

import csv
import io
from dataclasses import dataclass

from core.csv_files import text_problem_lines

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


class FileFormatError(ValueError):
    """The file as a whole cannot be read (not the format it says, no header...)."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def has(self, column: str) -> bool:
        return column in self.values


def file_format(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise FileFormatError("Upload a .csv or .xlsx file.")
    return extension


def read_rows(data: bytes, filename: str) -> list[Row]:
    """Rows with their line numbers; blank lines are skipped, values stripped."""
    table = _read_csv(data) if file_format(filename) == "csv" else _read_xlsx(data)
    if not table or not any(table[0]):
        raise FileFormatError("The file is empty: it needs a header row.")
    header = [str(cell or "").strip().lower() for cell in table[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileFormatError(f"Line 1: the header lacks the column(s) {', '.join(missing)}.")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {name: _text(cells[i]) if i < len(cells) else ""
                  for i, name in enumerate(header) if name}
        if any(values.values()):
            rows.append(Row(number, values))
    return rows


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileFormatError("The CSV file must be UTF-8 text.") from error
    problems = text_problem_lines(text)
    if problems:
        raise FileFormatError(" ".join(problems))
    return list(csv.reader(io.StringIO(text)))


def _openpyxl():
    try:
        import openpyxl  # only XLSX files need it
    except ImportError as error:
        raise FileFormatError("XLSX files need the openpyxl package, which is not installed "
                              "here: use CSV instead.") from error
    return openpyxl


def _read_xlsx(data: bytes) -> list[list]:
    load_workbook = _openpyxl().load_workbook
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not XLSX
        raise FileFormatError("This is not a readable XLSX file.") from error
    sheet = workbook.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return table


def write_rows(rows: list[dict], fmt: str) -> bytes:
    """The rows (dicts keyed by COLUMNS) as a CSV or XLSX file (FileFormatError if it cannot)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")
    workbook = _openpyxl().Workbook()
    sheet = workbook.active
    sheet.title = "Prices"
    sheet.append(COLUMNS)
    for row in rows:  # amounts as text, so no rate passes through a float
        sheet.append([row.get(column, "") for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
