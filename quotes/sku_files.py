"""Reading an uploaded list of SKUs and quantities (CSV or XLSX) into the rows a pasted list
makes: pure, no ORM.

    read_sku_file(data, filename) -> list[PastedRow]      (FileProblem when unreadable)
    as_pasted_text(rows) -> str

Columns: the SKU, the quantity (1 when empty), and optionally the section; a first row whose
first cell says "SKU" (or "Product", "Item") is a header. Row numbers are the file's own, as a
spreadsheet shows them, so the preview points at the row to correct. The size is checked
before anything is parsed; a CSV with NUL characters or overlong lines is refused whole (as
every CSV import is, `core.csv_files`; an XLSX cannot hold them); a cell that is too long or
holds a tab or a line break makes its row's error. The preview's confirmation re-posts the
rows as pasted text (`as_pasted_text`), so adding them is the paste's path and nothing is
added unless every row is good.
"""

import csv
import io

from core.csv_files import NOT_UTF8, file_text, text_problem_lines
from core.formatting import plain_quantity
from quotes.paste import HEADER, MAX_ROWS, SECTION_LENGTH, PastedRow, pasted_row

MAX_BYTES = 2 * 1024 * 1024  # a 1,000-row list is about 30 kB; a spreadsheet, a few times that
MAX_CELL = 100  # SKUs are at most 64 characters, sections 100, quantities a few digits
COLUMNS = 3  # SKU, quantity, section
FORMATS = ("csv", "txt", "xlsx")
_LETTERS = "ABC"


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


def read_sku_file(data: bytes, filename: str) -> list[PastedRow]:
    """The file's rows (blank rows and a header skipped), each with its error if any."""
    if len(data) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; a list "
                          f"of {MAX_ROWS:,} products is far smaller.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise FileProblem("Upload a .csv or .xlsx file (or paste the list).")
    table = _xlsx(data) if extension == "xlsx" else _csv(data)
    rows = []
    for number, cells in table:
        cells = [_text(cell) for cell in cells[:COLUMNS]] + [""] * (COLUMNS - len(cells))
        if not any(cells):
            continue
        if not rows and HEADER.match(cells[0]):
            continue
        if len(rows) == MAX_ROWS:
            rows.append(PastedRow(number, "", None, f"Upload at most {MAX_ROWS:,} rows at a "
                                                    f"time."))
            break
        rows.append(_checked(number, cells))
    if not rows:
        raise FileProblem("The file has no rows: one SKU a row, its quantity in the next "
                          "column.")
    return rows


def _checked(number: int, cells: list[str]) -> PastedRow:
    for letter, cell in zip(_LETTERS, cells, strict=True):
        problem = _cell_problem(cell)
        if problem:
            return PastedRow(number, cells[0][:MAX_CELL].upper(), None,
                             f"Cell {letter}{number} {problem}.", cells[2][:SECTION_LENGTH])
    return pasted_row(number, cells[0], cells[1], cells[2])


def _cell_problem(cell: str) -> str:
    if len(cell) > MAX_CELL:
        return (f"is longer than {MAX_CELL} characters; no SKU, quantity or section is that "
                f"long")
    if any(c in cell for c in "\t\r\n"):
        return "holds a tab or a line break; put one value in each cell"
    return ""


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _csv(data: bytes):
    try:
        text = file_text(data)
    except UnicodeDecodeError as error:
        raise FileProblem(NOT_UTF8) from error
    problems = text_problem_lines(text)
    if problems:
        raise FileProblem(" ".join(problems))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise FileProblem(f"Line {reader.line_num + 1}: this is not readable CSV "
                          f"({error}).") from error


def _xlsx(data: bytes):
    try:
        from openpyxl import load_workbook
    except ImportError as error:
        raise FileProblem("XLSX files need the openpyxl package, which is not installed "
                          "here: upload a CSV instead.") from error
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises several kinds for a file that is not XLSX
        raise FileProblem("This is not a readable XLSX file.") from error
    # a sheet may claim a million rows: read no further than a full list and its blank rows
    rows = sheet.iter_rows(max_row=2 * MAX_ROWS + 1, max_col=COLUMNS, values_only=True)
    table = [(number, list(cells)) for number, cells in enumerate(rows, start=1)]
    workbook.close()
    return table


def as_pasted_text(rows: list[PastedRow]) -> str:
    """Good rows as the pasted list that adds them ("# Section" lines, then "SKU<tab>qty")."""
    lines, section = [], ""
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"# {section}")
        lines.append(f"{row.sku}\t{plain_quantity(row.quantity)}")
    return "\n".join(lines)
