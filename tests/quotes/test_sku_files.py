"""Uploading a list of SKUs and quantities as a CSV or XLSX file: the paste's preview with an
error per row (worded, with the cell to correct), whole-file problems refused before parsing,
and nothing added unless every row is good (no database for the reader)."""

import io

import pytest
from openpyxl import Workbook

from quotes.paste import parse_pasted
from quotes.sku_files import MAX_BYTES, FileProblem, as_pasted_text, read_sku_file


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_csv_with_a_header_sections_and_a_semicolon_separator_is_read_by_row():
    data = "SKU;Quantity;Section\nseat-user;25;Subscriptions\n\nONBOARDING;;Services\n"

    rows = read_sku_file(data.encode("utf-8-sig"), "list.CSV")

    assert [(r.number, r.sku, r.quantity, r.section, r.error) for r in rows] == [
        (2, "SEAT-USER", 25, "Subscriptions", ""), (4, "ONBOARDING", 1, "Services", "")]


def test_an_xlsx_reads_numbers_as_quantities_and_numbers_rows_as_the_sheet_does():
    rows = read_sku_file(xlsx([["Product", "Qty"], ["SEAT-USER", 60.0], ["API-CALLS", 2.5e6],
                               [None, None], ["DEVICE-GW", "abc"]]), "list.xlsx")

    assert [(r.number, r.sku, r.quantity) for r in rows] == [
        (2, "SEAT-USER", 60), (3, "API-CALLS", 2500000), (5, "DEVICE-GW", None)]
    assert rows[2].error == "“abc” is not a quantity: write a number such as 12 or 2.5."
    assert "E+" not in as_pasted_text(rows[:2])


@pytest.mark.parametrize("cell, problem", [
    ("X" * 101, "Cell A3 is longer than 100 characters; no SKU, quantity or section is that "
                "long."),
    ("SEAT\tUSER", "Cell A3 holds a tab or a line break; put one value in each cell."),
    ("SEAT\nUSER", "Cell A3 holds a tab or a line break; put one value in each cell."),
])
def test_a_bad_cell_is_its_rows_error(cell, problem):
    rows = read_sku_file(xlsx([["SKU", "Quantity"], ["SEAT-USER", 1], [cell, 2]]),
                         "list.xlsx")

    assert rows[0].error == "" and rows[1].error == problem


@pytest.mark.parametrize("data, name, message", [
    (b"SEAT-USER,1\n" * (MAX_BYTES // 12 + 1), "big.csv", "The file is larger than 2 MB"),
    (b"SEAT-USER,1\nONBOARD\x00ING,2\n", "nul.csv", "Line 2: a cell holds a NUL character"),
    ("SEAT-USER,1\n".encode("utf-16"), "wide.csv", "The file is not UTF-8 text"),
    (b"PK\x03\x04 not really", "fake.xlsx", "This is not a readable XLSX file."),
    (b"SEAT-USER,1", "list.pdf", "Upload a .csv, .txt or .xlsx file."),
    (b"SKU,Quantity\n\n", "empty.csv", "The file has no rows"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(data, name, message):
    with pytest.raises(FileProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_sku_file(data, name)


def test_more_rows_than_a_list_may_hold_end_with_an_error():
    rows = read_sku_file(("SEAT-USER,1\n" * 1001).encode(), "long.csv")

    assert len(rows) == 1001 and rows[-1].error == "Upload at most 1,000 rows at a time."


def test_the_good_rows_round_trip_through_the_pasted_text():
    rows = read_sku_file(b"SEAT-USER,2\nSEAT-SSO,3,Add-ons\nONBOARDING,1,\n", "a.csv")

    again = parse_pasted(as_pasted_text(rows))

    assert [(r.sku, r.quantity, r.section) for r in again] == [
        (r.sku, r.quantity, r.section) for r in rows]
