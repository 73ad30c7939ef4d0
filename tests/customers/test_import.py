"""The accounts import reads its files through core.imports, the one reader of every import
(issue 15), and keeps what it promised: all rows or none, every refusal naming its file and line,
the size cap before parsing, and the red team's accounts-import findings (2026-12, finding 8:
NUL bytes, a 200 kB cell, 1e400 and 1e20 credit limits, no size cap, a limit with 9 decimals
silently rounded) refused in words."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from customers.models import Account, Contact
from customers.services import ImportRefused, import_accounts_csv
from customers.services.importing import MAX_IMPORT_BYTES

pytestmark = pytest.mark.django_db

HEADER = ("ref,name,legal_name,tax_id,country,currency,payment_terms,credit_limit,"
          "tax_exempt,owner,status\n")
GOOD_ACCOUNTS = HEADER + (
    "a1,Globex,Globex Corporation,US-1,US,USD,net-30,25000.01,no,rep_a,active\n"
    "a2,Initech,,,de,eur,eom-30,,yes,rep_b,\n"
    "a3,Umbrella KK,,,JP,JPY,2-10-net-30,1000000,,rep_a,prospect\n"
)
GOOD_CONTACTS = (
    "account_ref,name,email,phone,role\n"
    "a1,Hank Scorpio,hank@globex.example,+1 555 0100,signer\n"
    "a1,Accounts Payable,ap@globex.example,,billing\n"
    "a2,Bill Lumbergh,bill@initech.example,,\n"
)


def _csv(text: str, name: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def _xlsx(text: str, name: str) -> io.BytesIO:
    workbook = Workbook()
    for line in text.splitlines():
        workbook.active.append(line.split(","))
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = name
    return upload


def _refusals(by, accounts, contacts=None) -> dict:
    with pytest.raises(ImportRefused) as exc_info:
        _import(by, accounts=accounts, contacts=contacts)
    assert not Account.objects.exists() and not Contact.objects.exists()
    return {(e.file, e.line): e.message for e in exc_info.value.rows}


def _import(by, accounts=GOOD_ACCOUNTS, contacts=GOOD_CONTACTS):
    return import_accounts_csv(file=_csv(accounts, "accounts.csv"), by=by,
                               contacts_file=_csv(contacts, "contacts.csv") if contacts else None)


def test_a_good_file_imports_every_account_and_contact(finance, sales_rep, other_rep):
    result = _import(finance)

    assert (result.accounts, result.contacts) == (3, 3)
    globex = Account.objects.get(name="Globex")
    assert globex.owner == sales_rep
    assert globex.credit_limit.amount == Decimal("25000.01")
    assert Account.objects.get(name="Umbrella KK").credit_limit.amount == Decimal("1000000")
    initech = Account.objects.get(name="Initech")
    assert (initech.country, initech.currency, initech.owner, initech.tax_exempt) == (
        "DE", "EUR", other_rep, True)
    assert initech.status == "active"
    assert set(globex.contacts.values_list("email", flat=True)) == {
        "hank@globex.example", "ap@globex.example"}
    assert Contact.objects.get(email="bill@initech.example").role == "other"


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(finance, sales_rep,
                                                                    other_rep):
    # given the good file with its second account in an unknown currency
    accounts = GOOD_ACCOUNTS.replace("de,eur,eom-30", "de,xyz,eom-30")

    # when
    with pytest.raises(ImportRefused) as exc_info:
        _import(finance, accounts=accounts)

    # then
    [error] = exc_info.value.rows
    assert (error.file, error.line) == ("accounts.csv", 3)
    assert "currency" in error.message and "not a supported currency" in error.message
    assert not Account.objects.exists()
    assert not Contact.objects.exists()


def test_every_bad_row_of_both_files_is_reported(finance, sales_rep, other_rep):
    accounts = HEADER + (
        "a1,Globex,,,USA,USD,net-30,,,rep_a,\n"
        "a2,Initech,,,DE,EUR,net-999,-5,maybe,nobody,\n"
        "a1,Globex,,,US,USD,net-30,,,rep_a,\n"
    )
    contacts = ("account_ref,name,email,phone,role\n"
                "a1,Hank,hank@globex.example,,signer\n"
                "zz,Ghost,not-an-email,,\n"
                "a1,Hank again,HANK@globex.example,,\n")

    with pytest.raises(ImportRefused) as exc_info:
        _import(finance, accounts=accounts, contacts=contacts)

    by_line = {(e.file, e.line): e.message for e in exc_info.value.rows}
    assert set(by_line) == {("accounts.csv", 2), ("accounts.csv", 3), ("accounts.csv", 4),
                            ("contacts.csv", 3), ("contacts.csv", 4)}
    assert "two-letter" in by_line[("accounts.csv", 2)]
    line3 = by_line[("accounts.csv", 3)]
    for words in ("net-999", "cannot be negative", "yes or no", "nobody"):
        assert words in line3
    assert "earlier row" in by_line[("accounts.csv", 4)]
    assert "no account with ref “zz”" in by_line[("contacts.csv", 3)]
    assert "valid email" in by_line[("contacts.csv", 3)]
    assert "already has a contact" in by_line[("contacts.csv", 4)]
    assert not Account.objects.exists()


def test_importing_the_same_file_twice_adds_nothing(finance, sales_rep, other_rep):
    _import(finance)

    with pytest.raises(ImportRefused) as exc_info:
        _import(finance)

    assert [e.line for e in exc_info.value.rows] == [2, 3, 4]
    assert "already exists" in exc_info.value.rows[0].message
    assert Account.objects.count() == 3


def test_missing_and_unknown_columns_refuse_the_file_at_line_1(finance):
    with pytest.raises(ImportRefused) as exc_info:
        _import(finance, accounts="ref,name,colour\nx,Y,red\n", contacts=None)

    [error] = exc_info.value.rows
    assert error.line == 1
    assert error.message.startswith("Missing column(s): country, currency, payment_terms; "
                                    "unknown column(s): colour. Columns: ref, name,")


def test_line_numbers_count_quoted_multi_line_fields(finance, sales_rep):
    accounts = ("ref,name,country,currency,payment_terms,owner\n"
                'a1,"Globex\nEast",US,USD,net-30,rep_a\n'
                "a2,Initech,XX1,USD,net-30,rep_a\n")

    with pytest.raises(ImportRefused) as exc_info:
        _import(finance, accounts=accounts, contacts=None)

    assert [e.line for e in exc_info.value.rows] == [4]


def test_reps_cannot_import(sales_rep):
    with pytest.raises(PermissionDenied):
        _import(sales_rep)


def test_import_cost_does_not_grow_with_rows(finance, sales_rep, django_assert_max_num_queries):
    rows = "".join(f"a{i},Company {i},,,US,USD,net-30,100,,rep_a,\n" for i in range(300))

    # Django splits an SQLite INSERT at 999 parameters: 300 accounts of 39 columns take 12
    # statements (26 columns took 8 before the e-invoicing fields, 35 took 11 before the Peppol
    # ID and the VIES check), a handful of reads besides.
    with django_assert_max_num_queries(19):
        result = _import(finance, accounts=HEADER + rows, contacts=None)

    assert result.accounts == Account.objects.count() == 300


def test_an_xlsx_workbook_imports_like_the_csv(finance, sales_rep, other_rep):
    result = import_accounts_csv(file=_xlsx(GOOD_ACCOUNTS, "accounts.xlsx"), by=finance,
                                 contacts_file=_xlsx(GOOD_CONTACTS, "contacts.XLSX"))

    assert (result.accounts, result.contacts) == (3, 3)
    assert Account.objects.get(name="Umbrella KK").credit_limit.amount == Decimal("1000000")


def test_an_xlsx_row_is_refused_with_the_sheets_line_number(finance, sales_rep):
    accounts = GOOD_ACCOUNTS.replace("de,eur,eom-30", "de,xyz,eom-30")

    with pytest.raises(ImportRefused) as exc_info:
        import_accounts_csv(file=_xlsx(accounts, "accounts.xlsx"), by=finance)

    assert [(e.file, e.line) for e in exc_info.value.rows] == [("accounts.xlsx", 3)]
    assert not Account.objects.exists()


@pytest.mark.parametrize("limit, currency, places", [
    ("25000.005", "USD", 2), ("1000000.4", "JPY", 0), ("10.0001", "KWD", 3),
    ("100.123456789", "USD", 2)])  # red team: 9 decimals were silently rounded
def test_a_credit_limit_more_precise_than_its_currency_is_refused(finance, sales_rep, limit,
                                                                  currency, places):
    accounts = HEADER + f"a1,Globex,,,US,{currency},net-30,{limit},,rep_a,\n"

    assert _refusals(finance, accounts) == {("accounts.csv", 2): (
        f"The credit limit {limit} has more than {places} decimal places.")}


def test_a_kuwaiti_limit_takes_three_decimals(finance, sales_rep):
    _import(finance, accounts=HEADER + "a1,Gulf,,,KW,KWD,net-30,10.125,,rep_a,\n", contacts=None)

    assert Account.objects.get().credit_limit.amount == Decimal("10.125")


@pytest.mark.parametrize("limit, words", [
    ("1e400", "The credit limit is too large"),  # red team: round_money raised, a 500
    ("1e20", "The credit limit is too large"),  # red team: numeric overflow at insert
    ("NaN", "The credit limit 'NaN' is not a number"),
    ("lots", "The credit limit 'lots' is not a number"),
])
def test_a_credit_limit_that_is_no_amount_is_refused_in_words(finance, sales_rep, limit, words):
    accounts = HEADER + f"a1,Globex,,,US,USD,net-30,{limit},,rep_a,\n"

    [message] = _refusals(finance, accounts).values()
    assert words in message


def test_a_nul_byte_in_a_cell_is_refused_with_its_line(finance, sales_rep):
    # red team: PostgreSQL refused the NUL in the name lookup, a 500
    accounts = HEADER + "a1,Glo\x00bex,,,US,USD,net-30,,,rep_a,\n"

    [(where, message)] = _refusals(finance, accounts).items()
    assert where == ("accounts.csv", 2)
    assert message.startswith("A cell holds a NUL character")


def test_a_200_kb_cell_is_refused_with_its_line(finance, sales_rep):
    # red team: csv.Error "field larger than field limit", a 500
    accounts = HEADER + f"a1,{'x' * 200_000},,,US,USD,net-30,,,rep_a,\n"

    [(where, message)] = _refusals(finance, accounts).items()
    assert where == ("accounts.csv", 2)
    assert message.startswith("The line is longer than 10,000 characters")


def test_an_overlong_xlsx_cell_is_refused_with_its_line(finance, sales_rep):
    upload = _xlsx(HEADER + f"a1,{'x' * 20_000},,,US,USD,net-30,,,rep_a,\n", "a.xlsx")

    with pytest.raises(ImportRefused) as exc_info:
        import_accounts_csv(file=upload, by=finance)

    [error] = exc_info.value.rows
    assert (error.line, error.message) == (2, "A cell is longer than 10,000 characters.")


def test_a_file_over_the_cap_is_refused_before_it_is_parsed_or_read_whole(finance):
    # red team: 50 MB kept a worker busy for 5 minutes at 1.9 GB; not even UTF-8 here, so
    # only the size can be what refuses it
    upload = io.BytesIO(b"\xff" * (MAX_IMPORT_BYTES + 4096))
    upload.name = "big.csv"

    with pytest.raises(ImportRefused) as exc_info:
        import_accounts_csv(file=upload, by=finance)

    [error] = exc_info.value.rows
    assert (error.line, error.message) == (
        None, "The file is larger than 10 MB, the most this import reads.")
    assert upload.tell() == MAX_IMPORT_BYTES + 1


def test_a_row_wider_than_the_header_is_refused(finance, sales_rep):
    accounts = HEADER + "a1,Globex,,,US,USD,net-30,,,rep_a,,surplus\n"

    assert _refusals(finance, accounts) == {
        ("accounts.csv", 2): "The row has more columns than the header."}


def test_a_header_without_rows_is_refused(finance):
    assert _refusals(finance, HEADER) == {
        ("accounts.csv", 2): "The file has a header but no rows."}


def test_a_contacts_file_that_cannot_be_read_refuses_the_import(finance, sales_rep, other_rep):
    refusals = _refusals(finance, GOOD_ACCOUNTS, contacts="account_ref,name,email\na1,\x00,x\n")

    assert list(refusals) == [("contacts.csv", 2)]
