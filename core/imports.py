"""Uploaded tables, read one way for every import: a CSV or XLSX file becomes a header and
numbered rows, and each row's cells are read into values with a worded problem per bad cell.

What every import refuses, before anything reaches a database: a file over its size cap (checked
before parsing), text that is not UTF-8, NUL characters, cells longer than any cell may be, a
header without the required columns, rows wider than the header, amounts that are not finite,
too large or more precise than their column, dates outside 1990–2099. Line numbers are the
file's own (the header is line 1), so a problem points where a spreadsheet shows the row. The
callers refuse the whole file when any row has a problem: nothing is half-imported.

>>> table = read_table(b"sku,qty\\nA,1\\n\\nB,2.5\\n", "list.csv", required=["sku", "qty"])
>>> [(row.line, row["sku"]) for row in table.rows]
[(2, 'A'), (4, 'B')]
>>> cells = RowReader(table.rows[1])
>>> cells.decimal("qty", places=0), cells.problem()
(None, 'Line 4: the qty 2.5 has more than 0 decimal places.')
"""

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from core.csv_files import NOT_UTF8, date_range_problem, file_text, text_problem_lines

MAX_BYTES = 10 * 1024 * 1024  # tens of thousands of rows; any real file of ours is far smaller
MAX_CELL_CHARS = 10_000
MAX_AMOUNT = Decimal("1e13")  # below what an amount column holds (19 digits, 4 places)
FORMATS = ("csv", "xlsx")


class TableRefused(ValueError):
    """The file cannot be read as a table at all; `problems` says why, line by line."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(" ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class TableRow:
    line: int
    values: dict[str, str]
    extra: bool = False  # more cells than the header has columns

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def has(self, column: str) -> bool:
        return column in self.values


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[TableRow]


def read_rows(table: Table, read, *, empty: str) -> tuple[list, list[str]]:
    """Each row read by `read(cells)` (a RowReader, which the reader may `refuse`): the values
    of the rows without a problem, and each bad row's problems as one "Line N: ..." sentence;
    `empty` is the problem of a file with a header and no rows."""
    rows, problems = [], []
    for table_row in table.rows:
        cells = RowReader(table_row)
        value = read(cells)
        if cells.problems:
            problems.append(cells.problem())
        else:
            rows.append(value)
    if not rows and not problems:
        problems.append(empty)
    return rows, problems


def file_format(filename: str, formats: Sequence[str] = FORMATS) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in formats:
        *others, last = ["." + name for name in formats]
        raise TableRefused([f"Upload a {', '.join(others)} or {last} file." if others
                            else f"Upload a {last} file."])
    return extension


def table_cells(data: bytes | str, filename: str = "upload.csv", *,
                max_bytes: int = MAX_BYTES, formats: Sequence[str] = FORMATS,
                max_rows: int | None = None, sniff: bool = False) -> Iterator[tuple[int, list]]:
    """(line, cells) for each row of the file, once the file as a whole passed its checks
    (size, format, UTF-8, NUL characters, overlong lines); TableRefused when it did not.
    `sniff` guesses a CSV's delimiter (comma, semicolon or tab) for lists typed by hand;
    `max_rows` stops reading a workbook that claims a million rows."""
    if len(data.encode() if isinstance(data, str) else data) > max_bytes:
        raise TableRefused([f"The file is larger than {_size(max_bytes)}, the most this "
                            "import reads."])
    if file_format(filename, formats) == "xlsx":
        return enumerate(_xlsx_cells(data, max_rows), start=1)
    return _csv_cells(data, sniff)


def read_table(data: bytes | str, filename: str = "upload.csv", *, required: Sequence[str],
               max_bytes: int = MAX_BYTES, formats: Sequence[str] = FORMATS,
               max_rows: int | None = None) -> Table:
    """The file's header (lower case) and its non-blank rows, values stripped; TableRefused
    when the file as a whole cannot be read, or has more than `max_rows` rows (a workbook packs
    many more rows than a CSV into the same bytes, so its reading stops there)."""
    cells = table_cells(data, filename, max_bytes=max_bytes, formats=formats,
                        max_rows=None if max_rows is None else max_rows + 2)
    _, header_cells = next(cells, (1, None))
    if not header_cells or not any(header_cells):
        raise TableRefused(["The file is empty: it needs a header row."])
    header = tuple(cell_text(cell).lower() for cell in header_cells)
    missing = [column for column in required if column not in header]
    if missing:
        raise TableRefused([f"Line 1: the header needs the columns {', '.join(required)}; "
                            f"missing {', '.join(missing)}."])
    rows, problems = [], []
    for line, row_cells in cells:
        texts = [cell_text(cell) for cell in row_cells]
        problems += [f"Line {line}: {why}." for why in _cell_problems(texts)]
        if any(texts):
            values = {name: texts[i] if i < len(texts) else ""
                      for i, name in enumerate(header) if name}
            rows.append(TableRow(line, values, extra=any(texts[len(header):])))
        if max_rows is not None and len(rows) > max_rows:
            raise TableRefused([f"The file has more than {max_rows:,} rows, the most one import "
                                "takes; split it."])
    if problems:
        raise TableRefused(problems)
    return Table(header, rows)


def _size(count: int) -> str:
    megabytes = count / 1_048_576
    if megabytes >= 1:
        return f"{megabytes:.1f}".removesuffix(".0") + " MB"
    return f"{count / 1024:.0f} kB"


def _cell_problems(texts: list[str]) -> Iterable[str]:
    for text in texts:
        if "\x00" in text:
            yield "a cell holds a NUL character (\\x00), which is not text"
        elif len(text) > MAX_CELL_CHARS:
            yield f"a cell is longer than {MAX_CELL_CHARS:,} characters"


def cell_text(cell) -> str:
    """A cell as text: stripped, a whole number without ".0", a date as 2026-01-31."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.isoformat()[:10]
    return str(cell).strip()


def _csv_cells(data: bytes | str, sniff: bool) -> Iterator[tuple[int, list]]:
    try:
        text = file_text(data)
    except UnicodeDecodeError:
        raise TableRefused([NOT_UTF8]) from None
    if problems := text_problem_lines(text):
        raise TableRefused(problems)
    dialect = csv.excel
    if sniff:  # one column, or nothing to tell by: commas
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise TableRefused([f"Line {reader.line_num + 1}: this is not readable CSV "
                            f"({error})."]) from None


def _xlsx_cells(data: bytes, max_rows: int | None):
    from openpyxl import load_workbook  # imported when a workbook comes, not at start-up

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # openpyxl raises several kinds for a file that is not XLSX
        raise TableRefused(["This is not a readable XLSX file."]) from None
    try:
        yield from (list(row) for row in sheet.iter_rows(max_row=max_rows, values_only=True))
    finally:
        workbook.close()


class RowReader:
    """One row's cells read into values; each bad cell adds a worded problem and reads as
    None, so a row's problems are all found at once."""

    def __init__(self, row: TableRow):
        self.row = row
        self.problems: list[str] = []
        if row.extra:
            self.problems.append("the row has more columns than the header")

    def refuse(self, reason: str) -> None:
        self.problems.append(reason)

    def problem(self) -> str:
        """"Line N: reason; reason." or "" when the row is good."""
        return f"Line {self.row.line}: {'; '.join(self.problems)}." if self.problems else ""

    def text(self, column: str, *, required: bool = True, max_length: int | None = None,
             label: str = "") -> str:
        value = self.row[column]
        label = label or column.replace("_", " ")
        if required and not value:
            self.refuse(f"the {label} is missing")
        elif max_length and len(value) > max_length:
            self.refuse(f"the {label} is longer than {max_length} characters")
        return value

    def decimal(self, column: str, *, required: bool = True, places: int | None = None,
                positive: bool = False, maximum: Decimal = MAX_AMOUNT,
                label: str = "") -> Decimal | None:
        """A number written plainly (2500.00, -12.5): finite, below `maximum` in size, with at
        most `places` decimals; above zero when `positive`."""
        text = self.text(column, required=required, label=label)
        label = label or column.replace("_", " ")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            return self._refused(f"the {label} {text!r} is not a number")
        if not value.is_finite():
            return self._refused(f"the {label} {text!r} is not a number")
        if positive and value <= 0:
            return self._refused(f"the {label} {text} must be positive")
        if abs(value) >= maximum:
            return self._refused(f"the {label} {text} is too large")
        if places is not None and value.as_tuple().exponent < -places:
            return self._refused(f"the {label} {text} has more than {places} decimal places")
        return value

    def date(self, column: str, *, required: bool = True, label: str = "") -> date | None:
        """An ISO date (2026-01-31) between 1990 and 2099."""
        text = self.text(column, required=required, label=label)
        label = label or column.replace("_", " ")
        if not text:
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return self._refused(f"the {label} {text!r} is not a date like 2026-01-31")
        if problem := date_range_problem(value, label):
            return self._refused(problem)
        return value

    def choice(self, column: str, options: Iterable[str], *, required: bool = True,
               label: str = "") -> str:
        """One of `options`, compared without case; "" when missing or not one of them."""
        text = self.text(column, required=required, label=label)
        label = label or column.replace("_", " ")
        known = {option.lower(): option for option in options}
        if text and text.lower() not in known:
            self.refuse(f"unknown {label} {text!r} (known: {', '.join(sorted(known.values()))})")
            return ""
        return known.get(text.lower(), "")

    def _refused(self, reason: str) -> None:
        self.refuse(reason)
        return None
