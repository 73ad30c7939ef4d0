"""General ledger exports: each entry once, the file rebuilt identically, the account map
applied, and the exported lines adding up to the trial balance movement of the period."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger import chart, services
from ledger.gl_export import SAFT_NAMESPACE
from ledger.models import GLAccount, GLAccountMapping, LedgerExport, LedgerExportEntry
from ledger.selectors import trial_balance
from tests.ledger.factories import balanced, invoice_draft

pytestmark = pytest.mark.django_db
MARCH, APRIL = dt.date(2026, 3, 15), dt.date(2026, 4, 10)
NS = {"s": SAFT_NAMESPACE}


def post_march_and_april(finance, customer):
    """Three March entries on four accounts (one in EUR for a customer), and April noise."""
    return services.post_entries([
        balanced("120.50", on=MARCH),
        balanced("80.00", on=dt.date(2026, 3, 31), debit=chart.ACCOUNTS_RECEIVABLE,
                 credit=chart.DEFERRED_REVENUE, memo="Annual plan"),
        invoice_draft(customer, document_amount="100", rate="1.1", on=dt.date(2026, 3, 2)),
        balanced("999.99", on=APRIL, memo="April sale"),
    ], by=finance)


def download(client, export) -> bytes:
    response = client.get(reverse("ledger:export_download", args=[export.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_exported_lines_per_account_equal_the_trial_balance_movement_of_the_period(
        client, accountant, finance, customer):
    # given entries in March and April, and a February entry before the period
    services.post_entry(balanced("55.00", on=dt.date(2026, 2, 20)), by=finance)
    post_march_and_april(finance, customer)
    march = services.ensure_period(MARCH)
    # when March is exported
    export = services.export_journal_entries(by=accountant, format="csv", period=march)
    client.force_login(accountant)
    rows = csv_rows(download(client, export))
    # then each account's exported debits and credits are March's movement, no more, no less
    exported = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for row in rows:
        exported[row["account"]][0] += Decimal(row["debit"])
        exported[row["account"]][1] += Decimal(row["credit"])
    movement = trial_balance(as_of=march.end_on, since=march.start_on)
    assert {code: tuple(sums) for code, sums in exported.items()} == {
        row.code: (row.debit, row.credit) for row in movement.rows}
    assert export.entry_count == 3 and export.line_count == len(rows) == 6
    assert export.total_debit == export.total_credit == movement.total_debit == Decimal("310.50")
    assert {row["entry"] for row in rows} == {"JE-0000002", "JE-0000003", "JE-0000004"}


def test_each_entry_is_exported_once_across_two_since_last_exports(accountant, finance,
                                                                   customer):
    first_entries = post_march_and_april(finance, customer)
    first = services.export_journal_entries(by=accountant, format="csv")
    later = services.post_entry(balanced("7.00", on=APRIL), by=finance)

    second = services.export_journal_entries(by=accountant, format="saft")

    assert set(first.links.values_list("entry_id", flat=True)) == {e.pk for e in first_entries}
    assert list(second.links.values_list("entry_id", flat=True)) == [later.pk]
    assert (second.entry_count, second.total_debit) == (1, Decimal("7.00"))
    with pytest.raises(ValidationError, match="already exported"):
        services.export_journal_entries(by=accountant, format="csv")
    assert LedgerExport.objects.count() == 2  # the refused export left nothing behind


def test_a_period_exported_first_is_left_out_of_the_next_since_last_export(accountant,
                                                                           finance, customer):
    entries = post_march_and_april(finance, customer)
    services.export_journal_entries(by=accountant, format="csv",
                                    period=services.ensure_period(MARCH))

    rest = services.export_journal_entries(by=accountant, format="csv")

    assert list(rest.links.values_list("entry_id", flat=True)) == [entries[-1].pk]
    with pytest.raises(ValidationError, match="of March 2026 is already exported"):
        services.export_journal_entries(by=accountant, format="csv",
                                        period=services.ensure_period(MARCH))
    assert LedgerExportEntry.objects.count() == 4


@pytest.mark.parametrize("format", ["csv", "saft"])
def test_downloading_a_past_export_again_gives_the_same_file_even_after_the_map_changes(
        client, accountant, finance, customer, format):
    post_march_and_april(finance, customer)
    export = services.export_journal_entries(by=accountant, format=format)
    client.force_login(accountant)
    first = download(client, export)

    GLAccountMapping.objects.create(gl_account=GLAccount.objects.get(code=chart.REVENUE),
                                    target_code="9999", target_name="Changed later")
    services.post_entry(balanced("1.00", on=APRIL), by=finance)

    assert download(client, export) == first
    assert b"9999" not in first


def test_the_account_map_gives_the_target_code_and_name_and_unmapped_accounts_keep_theirs(
        client, accountant, finance, customer):
    revenue = GLAccount.objects.get(code=chart.REVENUE)
    GLAccountMapping.objects.create(gl_account=revenue, target_code="8400",
                                    target_name="Erlöse 19 % USt")
    post_march_and_april(finance, customer)
    export = services.export_journal_entries(by=accountant, format="csv")
    client.force_login(accountant)

    rows = csv_rows(download(client, export))

    revenue_rows = [row for row in rows if row["our_account"] == chart.REVENUE]
    assert revenue_rows and {(r["account"], r["account_name"]) for r in revenue_rows} == {
        ("8400", "Erlöse 19 % USt")}
    cash = GLAccount.objects.get(code=chart.CASH)
    assert {(r["account"], r["account_name"]) for r in rows
            if r["our_account"] == chart.CASH} == {(cash.code, cash.name)}
    euro = next(r for r in rows if r["document_currency"] == "EUR")
    assert (euro["customer"], euro["document_amount"], euro["debit"]) == (
        "Müller GmbH", "100.0000", "110.00")


def test_saft_xml_is_well_formed_with_one_transaction_per_entry_and_one_line_per_line(
        client, accountant, finance, customer):
    post_march_and_april(finance, customer)
    export = services.export_journal_entries(by=accountant, format="saft")
    client.force_login(accountant)

    root = ET.fromstring(download(client, export))

    assert root.tag == f"{{{SAFT_NAMESPACE}}}AuditFile"
    entries = root.find("s:GeneralLedgerEntries", NS)
    assert entries.find("s:NumberOfEntries", NS).text == "4"
    assert entries.find("s:TotalDebit", NS).text == entries.find("s:TotalCredit", NS).text \
        == "1310.49"
    assert len(entries.findall("s:Journal/s:Transaction", NS)) == 4
    assert len(entries.findall("s:Journal/s:Transaction/s:Line", NS)) == 8
    assert len(entries.findall(".//s:Line/s:DebitAmount", NS)) == 4
    assert len(entries.findall(".//s:Line/s:CreditAmount", NS)) == 4
    assert not entries.findall(".//s:SourceDocumentID", NS)  # no source: left out, not empty
    euro = entries.find(".//s:DebitAmount[s:CurrencyCode='EUR']", NS)
    assert (euro.find("s:Amount", NS).text, euro.find("s:ExchangeRate", NS).text) == (
        "110.00", "1.10000000")
    account_ids = {a.text for a in root.findall(".//s:GeneralLedgerAccounts/s:Account/"
                                                "s:AccountID", NS)}
    assert account_ids == {chart.CASH, chart.REVENUE, chart.ACCOUNTS_RECEIVABLE,
                           chart.DEFERRED_REVENUE}


def test_only_accountants_export(finance, sales_rep, customer):
    post_march_and_april(finance, customer)
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            services.export_journal_entries(by=user, format="csv")
    assert not LedgerExport.objects.exists()


def test_an_unknown_format_is_named(accountant, finance, customer):
    post_march_and_april(finance, customer)
    with pytest.raises(ValidationError, match="Choose one of csv, saft"):
        services.export_journal_entries(by=accountant, format="pdf")


@pytest.mark.parametrize("role, page, download_status, post_status", [
    ("accountant", 200, 200, 302), ("finance", 200, 200, 403),
    ("sales_rep", 403, 403, 403), ("sales_manager", 403, 403, 403)])
def test_export_pages_by_role(client, role_users, accountant, finance, customer, role, page,
                              download_status, post_status):
    post_march_and_april(finance, customer)
    export = services.export_journal_entries(by=accountant, format="csv",
                                             period=services.ensure_period(MARCH))
    client.force_login(role_users[role])

    assert client.get(reverse("ledger:exports")).status_code == page
    assert client.get(reverse("ledger:export_download", args=[export.pk])).status_code \
        == download_status
    assert client.post(reverse("ledger:export_new"), {"format": "csv"}).status_code \
        == post_status
    assert LedgerExport.objects.count() == (2 if post_status == 302 else 1)


def test_the_close_page_lists_its_exports_and_exports_the_period(client, accountant, finance,
                                                                 customer):
    post_march_and_april(finance, customer)
    march = services.ensure_period(MARCH)
    client.force_login(accountant)
    here = reverse("ledger:period", args=[march.pk])

    response = client.post(reverse("ledger:export_new"),
                           {"format": "saft", "period": march.pk, "next": here})

    assert response.status_code == 302 and response["Location"] == here
    export = LedgerExport.objects.get()
    assert (export.period, export.format, export.entry_count) == (march, "saft", 3)
    page = client.get(here).content.decode()
    assert export.reference in page and reverse("ledger:export_download",
                                                args=[export.pk]) in page
    again = client.post(reverse("ledger:export_new"), {"format": "csv", "period": march.pk})
    assert again.status_code == 400 and "already exported" in again.content.decode()


def _post_many(finance, count):
    services.post_entries([balanced(f"{n}.00", on=MARCH) for n in range(1, count + 1)],
                          by=finance)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_download_and_pages_cost_the_same_queries_for_10_and_50_entries(client, accountant,
                                                                        finance):
    client.force_login(accountant)
    counts = []
    for size in (10, 50):
        _post_many(finance, size)
        export = services.export_journal_entries(by=accountant, format="saft")
        march = services.ensure_period(MARCH)
        counts.append([
            _queries(client, reverse("ledger:export_download", args=[export.pk])),
            _queries(client, reverse("ledger:exports")),
            _queries(client, reverse("ledger:period", args=[march.pk])),
        ])
        assert export.entry_count == size
    assert counts[0] == counts[1]
