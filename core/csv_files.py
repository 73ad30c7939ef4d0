"""CSV files the same way everywhere. Uploads: UTF-8 text (with or without a BOM) and a header
naming the required columns in any case and order; problems are worded for a person, as
"Line N: reason", and the callers refuse a file with any bad one. Exports: every cell through
`safe_cell`, large ones streamed row by row (`streaming_csv`)."""

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

NOT_UTF8 = "The file is not UTF-8 text; save it as CSV UTF-8."
# No cell of any import comes near this; Python's csv refuses fields over 128 kB with an error
# nobody can act on, and a database refuses NUL characters in text, so both are caught first.
MAX_LINE_CHARS = 10_000
MAX_TEXT_PROBLEMS = 20  # a binary file would otherwise list every line
# Dates any import accepts: a year 9999 overflows time-zone arithmetic and means a typo.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def file_text(content: bytes | str) -> str:
    """The file's text, without a byte-order mark; UnicodeDecodeError when it is not UTF-8."""
    if isinstance(content, bytes):
        return content.decode("utf-8-sig")
    return content.removeprefix("\ufeff")


def text_problems(text: str) -> list[tuple[int, str]]:
    """(line, reason) for what makes a file's text unfit to read as CSV: NUL characters and
    lines longer than any cell may be. Checked before parsing, so nothing reaches a database."""
    if "\x00" not in text and len(text) <= MAX_LINE_CHARS:
        return []
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        if "\x00" in line:
            problems.append((number, "a cell holds a NUL character (\\x00), which is not text; "
                                     "save the file again as CSV UTF-8"))
        elif len(line) > MAX_LINE_CHARS:
            problems.append((number, f"the line is longer than {MAX_LINE_CHARS:,} characters; "
                                     "no cell may be that long"))
        if len(problems) >= MAX_TEXT_PROBLEMS:
            break
    return problems


def text_problem_lines(text: str) -> list[str]:
    """text_problems as "Line N: reason." sentences."""
    return [f"Line {number}: {reason}." for number, reason in text_problems(text)]


def date_range_problem(day: date, label: str) -> str:
    """Why a date is outside what any import accepts ("" when it is inside)."""
    if day > LATEST_DATE:
        return f"the {label} {day.isoformat()} is after {LATEST_DATE.isoformat()}"
    if day < EARLIEST_DATE:
        return f"the {label} {day.isoformat()} is before {EARLIEST_DATE.isoformat()}"
    return ""


# Exports --------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, unless it is a plain number such as -12.50."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        Decimal(value)
    except InvalidOperation:
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` for every export: the same rows, each cell through `safe_cell`."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _Echo:
    """A file whose write returns the line, so the writer's rows can be streamed."""

    def write(self, value):
        return value


def streaming_csv(rows: Iterable[Sequence], filename: str):
    """A download of `rows` (the header first) written as they are read, so an export of any
    size holds one row in memory."""
    from django.http import StreamingHttpResponse

    writer = SafeCsvWriter(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
