"""Reading an uploaded list of SKUs and quantities (CSV or XLSX) into the rows a pasted list
makes: pure, no ORM.

    read_sku_file(data, filename) -> list[PastedRow]      (FileProblem when unreadable)
    as_pasted_text(rows) -> str

Columns: the SKU, the quantity (1 when empty), and optionally the section; a first row whose
first cell says "SKU" (or "Product", "Item") is a header. Row numbers are the file's own, as a
spreadsheet shows them, so the preview points at the row to correct. The size is checked
before anything is parsed; a CSV with NUL characters or overlong lines is refused whole (as
every import is, `core.imports`; an XLSX cannot hold them); a cell that is too long or holds
a tab or a line break makes its row's error. The preview's confirmation re-posts the rows as
pasted text (`as_pasted_text`), so adding them is the paste's path and nothing is added unless
every row is good.
"""

from core.formatting import plain_quantity
from core.imports import TableRefused, cell_text, table_cells
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
    try:
        return _rows(table_cells(data, filename, max_bytes=MAX_BYTES, formats=FORMATS,
                                 max_rows=2 * MAX_ROWS + 1, sniff=True))
    except TableRefused as refused:
        raise FileProblem(" ".join(refused.problems)) from refused


def _rows(table) -> list[PastedRow]:
    rows = []
    for number, cells in table:
        cells = [cell_text(cell) for cell in cells[:COLUMNS]] + [""] * (COLUMNS - len(cells))
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


def as_pasted_text(rows: list[PastedRow]) -> str:
    """Good rows as the pasted list that adds them ("# Section" lines, then "SKU<tab>qty")."""
    lines, section = [], ""
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"# {section}")
        lines.append(f"{row.sku}\t{plain_quantity(row.quantity)}")
    return "\n".join(lines)
