"""A bank statement is read like every other import (core.imports): each refusal names its line
and column, the whole file is refused for one bad line, and nothing unreadable gets through."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.statement_file import MAX_BYTES, MAX_LINES, line_fingerprint, read_statement

CURRENCIES = ["USD", "EUR", "JPY", "KWD"]
TODAY = date(2026, 12, 1)
HEADER = "date,amount,currency,reference,payer\n"


def _read(body: str, header: str = HEADER, filename: str = "nov.csv"):
    return read_statement((header + body).encode(), currencies=CURRENCIES, today=TODAY,
                          filename=filename)


def test_good_lines_are_read_with_their_line_numbers_and_money_out_kept_negative():
    lines, problems = _read("2026-11-20,100.00,usd,INV-2026-000001,Acme\n\n"
                            "2026-11-21,-12.00,USD,Bank fee,\n"
                            "2026-11-22,1500,JPY,x,\n2026-11-23,1.250,KWD,y,\n")

    assert problems == []
    assert [(line.line, line.amount, line.currency) for line in lines] == [
        (2, D("100.00"), "USD"), (4, D("-12.00"), "USD"), (5, D("1500"), "JPY"),
        (6, D("1.250"), "KWD")]
    assert lines[0].reference == "INV-2026-000001" and lines[0].payer == "Acme"


@pytest.mark.parametrize("row, problem", [
    ("20/11/2026,5.00,USD,x,", "Line 2: the date '20/11/2026' is not a date like 2026-01-31."),
    ("9999-12-31,5.00,USD,x,", "Line 2: the date 9999-12-31 is after 2099-12-31."),
    ("1899-12-31,5.00,USD,x,", "Line 2: the date 1899-12-31 is before 1990-01-01."),
    ("2026-12-02,5.00,USD,x,", "Line 2: the date 2026-12-02 is after today (2026-12-01): a "
                               "statement records what the bank has booked."),
    ("2026-11-20,abc,USD,x,", "Line 2: the amount 'abc' is not a number."),
    ("2026-11-20,1e400,USD,x,", "Line 2: the amount 1e400 is too large."),
    ("2026-11-20,NaN,USD,x,", "Line 2: the amount 'NaN' is not a number."),
    ("2026-11-20,-1e13,USD,x,", "Line 2: the amount -1e13 is too large."),
    ("2026-11-20,1.005,USD,x,", "Line 2: the amount 1.005 has more than 2 decimal places."),
    ("2026-11-20,10.5,JPY,x,", "Line 2: the amount 10.5 has more than 0 decimal places."),
    ("2026-11-20,0.00,USD,x,", "Line 2: the amount is zero."),
    ("2026-11-20,5.00,XXX,x,", "Line 2: unknown currency 'XXX' (known: EUR, JPY, KWD, USD)."),
    ("2026-11-20,,,x,", "Line 2: the currency is missing; the amount is missing."),
    ("2026-11-20,5.00,USD,x,Acme,extra", "Line 2: the row has more columns than the header."),
    ("2026-11-20,5.00,USD," + "r" * 141 + ",",
     "Line 2: the reference is longer than 140 characters."),
    ("2026-11-20,5.00,USD,x," + "p" * 201, "Line 2: the payer is longer than 200 characters."),
])
def test_each_bad_line_is_refused_naming_its_line_and_column(row, problem):
    lines, problems = _read(f"{row}\n")

    assert problems == [problem] and lines == []


def test_every_bad_line_is_listed_and_the_good_ones_do_not_count():
    lines, problems = _read("2026-11-20,100.00,USD,ok,\n2026-11-20,abc,USD,x,\n"
                            "2026-11-20,1.005,US,x,\n")

    assert problems == ["Line 3: the amount 'abc' is not a number.",
                        "Line 4: unknown currency 'US' (known: EUR, JPY, KWD, USD)."]


@pytest.mark.parametrize("content, problem", [
    ("date,amount,currency,reference\n2026-11-20,5.00,USD,Acme\x00Corp\n",
     "Line 2: a cell holds a NUL character (\\x00), which is not text; save the file again "
     "as CSV UTF-8."),
    ("date,amount,currency,reference\n2026-11-20,5.00,USD," + "x" * 200_000 + "\n",
     "Line 2: the line is longer than 10,000 characters; no cell may be that long."),
    ("when,how much\n2026-01-01,5\n", "Line 1: the header needs the columns date, amount, "
                                      "currency, reference; missing date, amount, currency, "
                                      "reference."),
    ("date,amount,currency,reference\n", "Line 2: the file has a header but no lines."),
    ("", "The file is empty: it needs a header row."),
])
def test_a_file_that_cannot_be_read_is_refused_whole(content, problem):
    lines, problems = read_statement(content.encode(), currencies=CURRENCIES, today=TODAY)

    assert problems == [problem] and lines == []


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed():
    content = (HEADER + "2026-11-20,5.00,USD,x,\n").encode() + b"\x00" * MAX_BYTES

    lines, problems = read_statement(content, currencies=CURRENCIES, today=TODAY)

    assert problems == ["The file is larger than 2 MB, the most this import reads."]


def test_a_file_of_more_lines_than_a_statement_holds_is_refused():
    lines, problems = _read("2026-11-20,5.00,USD,x,\n" * (MAX_LINES + 1))

    assert problems == ["The file has more than 5,000 lines; split it by date."]


def test_a_statement_may_come_as_a_workbook():
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Date", "Amount", "Currency", "Reference"])
    book.active.append([date(2026, 11, 20), 250.5, "EUR", "INV-2026-000004"])
    data = BytesIO()
    book.save(data)

    lines, problems = read_statement(data.getvalue(), currencies=CURRENCIES, today=TODAY,
                                     filename="nov.xlsx")

    assert problems == []
    assert [(line.booked_on, line.amount, line.currency) for line in lines] == [
        (date(2026, 11, 20), D("250.5"), "EUR")]


def test_a_text_file_named_otherwise_is_refused():
    assert _read("2026-11-20,5.00,USD,x,\n", filename="nov.txt")[1] == [
        "Upload a .csv or .xlsx file."]


TEXTS = st.text(alphabet="AbC xyz-0123", max_size=20)


@given(st.dates(min_value=date(1990, 1, 1), max_value=TODAY),
       st.decimals(min_value=D("-1e6"), max_value=D("1e6"), places=2).filter(bool),
       TEXTS, TEXTS)
def test_a_line_reads_back_to_the_identity_it_was_written_with(day, amount, reference, payer):
    """Reading is lossless for what the identity holds, so a re-export of the same line (case
    and spacing of its texts changed) is the same line."""
    lines, problems = _read(f"{day},{amount},USD,{reference},{payer}\n")
    reexported = line_fingerprint(day, amount, "usd", f"  {reference.upper()} ", payer.lower())

    assert problems == []
    (line,) = lines
    assert line_fingerprint(line.booked_on, line.amount, line.currency, line.reference,
                            line.payer) == reexported
