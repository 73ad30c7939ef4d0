"""The one way uploaded tables are read (issue 15, "one import framework"; red-team findings on
NUL bytes, 200 kB cells, 1e400 amounts, year 9999 and files without a size cap): every refusal
names its line (and reason), and a file is refused before it is parsed when it is too big."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from core.imports import MAX_CELL_CHARS, RowReader, TableRefused, TableRow, read_table


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refusal(data, filename="f.csv", **options) -> list[str]:
    with pytest.raises(TableRefused) as refused:
        read_table(data, filename, required=options.pop("required", ["a"]), **options)
    return refused.value.problems


def test_csv_and_xlsx_give_the_same_rows_with_the_files_own_line_numbers():
    csv_table = read_table(b"\xef\xbb\xbfA, B\n1,x\n,\n2, y \n", "t.csv", required=["a", "b"])
    xlsx_table = read_table(xlsx([["A", " B"], [1, "x"], [None, None], [2.0, " y "]]), "t.XLSX",
                            required=["a", "b"])
    for table in (csv_table, xlsx_table):
        assert table.header == ("a", "b")
        assert [(row.line, row.values) for row in table.rows] == [
            (2, {"a": "1", "b": "x"}), (4, {"a": "2", "b": "y"})]


def test_an_xlsx_date_cell_reads_as_an_iso_date():
    table = read_table(xlsx([["day"], [datetime(2026, 3, 31)]]), "d.xlsx", required=["day"])
    assert RowReader(table.rows[0]).date("day") == date(2026, 3, 31)


def test_a_file_over_its_cap_is_refused_before_it_is_parsed():
    # not even UTF-8: the size is what refuses it
    assert refusal(b"\xff" * 3000, max_bytes=2048) == [
        "The file is larger than 2 kB, the most this import reads."]
    problems = refusal(b"a\n" + b"1\n" * 600_000, max_bytes=1024 * 1024)
    assert problems == ["The file is larger than 1 MB, the most this import reads."]


@pytest.mark.parametrize("data, filename, expected", [
    (b"a\n1\n", "f.txt", "Upload a .csv or .xlsx file."),
    (b"\xff\xfe", "f.csv", "The file is not UTF-8 text; save it as CSV UTF-8."),
    (b"", "f.csv", "The file is empty: it needs a header row."),
    (b"b,c\n1,2\n", "f.csv", "Line 1: the header needs the columns a; missing a."),
    (b"a\nok\nb\x00d\n", "f.csv", "Line 3: a cell holds a NUL character (\\x00), which is not "
                                  "text; save the file again as CSV UTF-8."),
    (b"a\n" + b"x" * (MAX_CELL_CHARS + 1) + b"\n", "f.csv", "Line 2: the line is longer than "
                                                             "10,000 characters; no cell may be "
                                                             "that long."),
    (b"not a workbook", "f.xlsx", "This is not a readable XLSX file."),
])
def test_a_file_that_cannot_be_read_is_refused_in_words(data, filename, expected):
    assert refusal(data, filename) == [expected]


@pytest.mark.parametrize("data, filename", [
    (b"a\n1\n2\n3\n", "f.csv"), (xlsx([["a"], [1], [2], [3]]), "f.xlsx")])
def test_a_file_with_more_rows_than_the_import_takes_is_refused(data, filename):
    assert refusal(data, filename, max_rows=2) == [
        "The file has more than 2 rows, the most one import takes; split it."]
    assert len(read_table(data, filename, required=["a"], max_rows=3).rows) == 3


def test_xlsx_cells_are_held_to_the_same_length_as_csv_lines():
    # (an XLSX cannot hold a NUL character: openpyxl refuses to write one)
    data = xlsx([["a"], ["fine"], ["x" * (MAX_CELL_CHARS + 1)], ["y" * (MAX_CELL_CHARS + 1)]])
    assert refusal(data, "f.xlsx") == [
        f"Line 3: a cell is longer than {MAX_CELL_CHARS:,} characters.",
        f"Line 4: a cell is longer than {MAX_CELL_CHARS:,} characters."]


def row(**values) -> RowReader:
    return RowReader(TableRow(7, {k: str(v) for k, v in values.items()}))


@pytest.mark.parametrize("text, options, problem", [
    ("1e400", {}, "the amount 1e400 is too large"),
    ("NaN", {}, "the amount 'NaN' is not a number"),
    ("-Infinity", {}, "the amount '-Infinity' is not a number"),
    ("12,50", {}, "the amount '12,50' is not a number"),
    ("10000000000000", {}, "the amount 10000000000000 is too large"),
    ("12.505", {"places": 2}, "the amount 12.505 has more than 2 decimal places"),
    ("0", {"positive": True}, "the amount 0 must be positive"),
    ("", {}, "the amount is missing"),
])
def test_a_bad_amount_is_a_worded_problem_on_its_line(text, options, problem):
    cells = row(amount=text)
    assert cells.decimal("amount", **options) is None
    assert cells.problem() == f"Line 7: {problem}."


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"),
                   places=2, allow_nan=False, allow_infinity=False))
def test_every_amount_within_the_bounds_reads_back_exactly(amount):
    cells = row(amount=amount)
    assert cells.decimal("amount", places=2) == amount and cells.problems == []


@pytest.mark.parametrize("text, problem", [
    ("9999-12-31", "the start date 9999-12-31 is after 2099-12-31"),
    ("1900-01-01", "the start date 1900-01-01 is before 1990-01-01"),
    ("31/01/2026", "the start date '31/01/2026' is not a date like 2026-01-31"),
])
def test_a_date_out_of_range_or_shape_is_refused(text, problem):
    cells = row(start_date=text)
    assert cells.date("start_date") is None
    assert cells.problems == [problem]


def test_every_problem_of_a_row_is_found_at_once():
    cells = RowReader(TableRow(3, {"currency": "usd", "kind": "Gold", "note": "x" * 11},
                               extra=True))
    assert cells.choice("currency", ["EUR", "USD"]) == "USD"
    assert cells.choice("kind", ["basic", "pro"]) == ""
    cells.text("note", max_length=10)
    assert cells.problem() == ("Line 3: the row has more columns than the header; unknown kind "
                               "'Gold' (known: basic, pro); the note is longer than 10 "
                               "characters.")
