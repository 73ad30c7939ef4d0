"""The usage file's shape and references, read without a database."""

import doctest
from datetime import UTC, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from billing import account_references
from billing.usage_csv import parse_usage, resolve_usage
from core.csv_files import NOT_UTF8

HEADER = "account,sku,quantity,timestamp,idempotency_key\n"


def test_good_rows_are_read_with_a_time_zone_for_naive_times():
    rows, errors = parse_usage(HEADER + "7,API,12.5,2026-11-01T10:00:00,k1\n"
                                        "7,API,3,2026-11-02T10:00:00+00:00,k2\n", zone=UTC)
    assert errors == []
    assert [(r.line, r.quantity, r.occurred_at) for r in rows] == [
        (2, D("12.5"), datetime(2026, 11, 1, 10, tzinfo=UTC)),
        (3, D("3"), datetime(2026, 11, 2, 10, tzinfo=UTC))]


def test_every_bad_row_is_listed_with_its_line_and_reason():
    content = (HEADER + "7,API,1,2026-11-01T10:00:00Z,k1\n"
               ",API,-1,yesterday,k2\n"
               "7,API,1.1234567,2026-11-01T10:00:00Z,\n"
               "7,API,1,2026-11-01T10:00:00Z,k4,extra\n")
    rows, errors = parse_usage(content, zone=UTC)
    assert errors == [
        "Line 3: the account is missing; the quantity -1 must be zero or more; the timestamp "
        "'yesterday' is not like 2026-11-01T13:45:00Z.",
        "Line 4: the idempotency key is missing; the quantity 1.1234567 has more than 6 "
        "decimal places.",
        "Line 5: the row has more columns than the header.",
    ]


def test_a_file_without_the_columns_is_refused_at_the_header():
    assert parse_usage("account,qty\n1,2\n", zone=UTC)[1] == [
        "Line 1: the header needs the columns account, sku, quantity, timestamp, "
        "idempotency_key; missing sku, quantity, timestamp, idempotency_key."]


def test_an_empty_file_and_a_binary_file_are_refused():
    assert parse_usage(HEADER, zone=UTC)[1] == ["The file has no usage rows."]
    assert parse_usage(b"\xff\xfe\x00", zone=UTC)[1] == [NOT_UTF8]


def test_references_duplicates_and_changed_keys_are_refused_by_line():
    rows, _ = parse_usage(HEADER + "7,API,1,2026-11-01T10:00:00Z,k1\n"
                                   "8,API,1,2026-11-01T10:00:00Z,k1\n"
                                   "7,API,1,2026-11-01T10:00:00Z,k1\n"
                                   "Acme,SEAT,1,2026-11-01T10:00:00Z,k3\n"
                                   "7,NOPE,1,2026-11-01T10:00:00Z,k4\n"
                                   "7,API,2,2026-11-01T10:00:00Z,k5\n", zone=UTC)
    stored = {(7, "k5"): (100, D("1"), datetime(2026, 11, 1, 10, tzinfo=UTC))}
    resolved, errors = resolve_usage(rows, accounts={"7": 7, "8": 8, "Acme": None},
                                     products={"API": (100, True), "SEAT": (101, False)},
                                     stored=stored)
    assert [r.line for r in resolved] == [2, 3]
    assert errors == [
        "Line 4: the idempotency key 'k1' is already on line 2.",
        "Line 5: account 'Acme' names more than one account; use its id; SEAT is not a "
        "metered (usage) product.",
        "Line 6: unknown SKU 'NOPE'.",
        "Line 7: the idempotency key 'k5' was imported before with another product, quantity "
        "or time.",
    ]


def test_a_resent_key_with_the_same_facts_is_accepted():
    rows, _ = parse_usage(HEADER + "7,API,1.0,2026-11-01T10:00:00Z,k5\n", zone=UTC)
    stored = {(7, "k5"): (100, D("1.000000"), datetime(2026, 11, 1, 10, tzinfo=UTC))}
    resolved, errors = resolve_usage(rows, accounts={"7": 7}, products={"API": (100, True)},
                                     stored=stored)
    assert errors == [] and len(resolved) == 1


def test_new_usage_in_a_period_already_invoiced_is_refused_but_a_resend_is_not():
    from datetime import date

    rows, _ = parse_usage(HEADER + "7,API,1,2026-10-31T22:30:00-04:00,late\n"
                                   "7,API,1,2026-10-15T10:00:00Z,sent-before\n"
                                   "7,API,1,2026-11-02T10:00:00Z,on-time\n", zone=UTC)
    billed = {(7, 100): [(date(2026, 10, 1), date(2026, 10, 31), "INV-2026-000042")]}
    stored = {(7, "sent-before"): (100, D("1"), datetime(2026, 10, 15, 10, tzinfo=UTC))}
    resolved, errors = resolve_usage(rows, accounts={"7": 7}, products={"API": (100, True)},
                                     stored=stored, billed=billed,
                                     zones={7: ZoneInfo("America/New_York")})
    assert [r.idempotency_key for r in resolved] == ["sent-before", "on-time"]
    assert errors == ["Line 2: the usage falls in the period 2026-10-01..2026-10-31 "
                      "(INV-2026-000042) already invoiced; bill it with a manual charge "
                      "instead."]


def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_file_reads_like_the_csv_with_the_same_line_numbers():
    content = _xlsx([["Account", "SKU", "Quantity", "Timestamp", "Idempotency_Key"],
                     [7, "API", 12.5, "2026-11-01T10:00:00", "k1"],
                     [None] * 5,
                     [7, "API", -1, "2026-11-02T10:00:00Z", "k2"]])
    rows, errors = parse_usage(content, zone=UTC, filename="nov.XLSX")
    assert [(r.line, r.account, r.quantity) for r in rows] == [(2, "7", D("12.5"))]
    assert errors == ["Line 4: the quantity -1 must be zero or more."]


def test_nul_bytes_overlong_cells_and_other_formats_are_refused_before_any_row_is_read():
    assert parse_usage(HEADER + "7,API,1,2026-11-01T10:00:00Z,k\x00\n", zone=UTC)[1] == [
        "Line 2: a cell holds a NUL character (\\x00), which is not text; save the file "
        "again as CSV UTF-8."]
    overlong = parse_usage(HEADER + "7,API,1,2026-11-01T10:00:00Z," + "k" * 200_000 + "\n",
                           zone=UTC)[1]
    assert overlong == ["Line 2: the line is longer than 10,000 characters; no cell may be "
                        "that long."]
    assert parse_usage(HEADER, zone=UTC, filename="usage.json")[1] == [
        "Upload a .csv or .xlsx file."]


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(monkeypatch):
    import billing.usage_csv

    monkeypatch.setattr(billing.usage_csv, "MAX_BYTES", 1024)
    # not UTF-8 either: the size alone refuses it, so nothing was parsed
    assert parse_usage(b"\xff" * 2048, zone=UTC)[1] == [
        "The file is larger than 1 kB, the most this import reads."]


def test_huge_quantities_and_far_timestamps_are_worded_refusals():
    content = (HEADER + "7,API,1e400,2026-11-01T10:00:00Z,k1\n"
                        "7,API,10000000000000,2026-11-01T10:00:00Z,k2\n"
                        "7,API,NaN,2026-11-01T10:00:00Z,k3\n"
                        "7,API,1,9999-12-31T23:59:59Z,k4\n")
    assert parse_usage(content, zone=UTC)[1] == [
        "Line 2: the quantity 1e400 is too large.",
        "Line 3: the quantity 10000000000000 is too large.",
        "Line 4: the quantity NaN must be zero or more.",
        "Line 5: the timestamp 9999-12-31T23:59:59Z is after 2099-12-31."]


def test_the_account_reference_examples_hold():
    assert doctest.testmod(account_references).failed == 0
