"""The audit pack of a period (issue 15, "an audit pack per period (CSV/XLSX: trial balance,
journals, sub-ledger ties, every transition with actor and time) downloads from the close
page")."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledger import chart, services
from tests.ledger.factories import balanced

pytestmark = pytest.mark.django_db
FEB, MARCH = dt.date(2026, 2, 10), dt.date(2026, 3, 15)


@pytest.fixture
def march(finance, accountant):
    services.post_entry(balanced("100.00", on=FEB, memo="February sale"), by=finance)
    services.post_entry(balanced("40.00", on=MARCH, memo="=HYPERLINK(\"http://x\")"), by=finance)
    services.post_entry(balanced("2.50", on=MARCH, debit=chart.REVENUE, credit=chart.CASH,
                                 memo="Refund"), by=finance)
    period = services.ensure_period(MARCH)
    return services.start_close(period, by=accountant, note="Review", on=MARCH)


def _zip_sheets(response) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name.removesuffix(".csv"): list(csv.reader(io.TextIOWrapper(archive.open(name),
                                                                        encoding="utf-8")))
            for name in archive.namelist()}


def test_the_zip_holds_the_periods_trial_balance_journal_ties_and_transitions(client,
                                                                               accountant,
                                                                               march):
    client.force_login(accountant)

    response = client.get(reverse("audit_pack", args=[march.pk, "zip"]))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="audit-pack-2026-03.zip"')
    sheets = _zip_sheets(response)
    assert set(sheets) == {"trial_balance", "journal", "subledger_ties", "transitions"}
    cash = next(row for row in sheets["trial_balance"][1:] if row[0] == chart.CASH)
    # Opening 100.00 from February, then 40.00 in and 2.50 out in March: closing 137.50.
    assert [Decimal(value) for value in cash[3:]] == [Decimal("100.00"), Decimal("40.00"),
                                                       Decimal("2.50"), Decimal("137.50")]
    journal = sheets["journal"]
    assert len(journal) == 1 + 4  # two entries of March, two lines each; February's not there
    assert {row[3] for row in journal[1:]} == {"'=HYPERLINK(\"http://x\")", "Refund"}
    assert {row[0] for row in sheets["subledger_ties"][1:]} >= {
        "Journals balanced", "Receivables agree with the ledger"}
    transition = sheets["transitions"][1]
    assert transition[3:8] == ["accountingperiod", str(march.pk), "start_close", "open",
                               "closing"]
    assert transition[8:10] == ["user", accountant.get_full_name()]
    assert transition[11] == "Review"


def test_the_workbook_has_one_sheet_each_with_numbers_as_numbers(client, finance, march):
    client.force_login(finance)

    response = client.get(reverse("audit_pack", args=[march.pk, "xlsx"]))

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["trial_balance", "journal", "subledger_ties", "transitions"]
    rows = list(book["journal"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Entry", "Posted on", "Document date")
    assert sum(Decimal(str(row[11])) for row in rows[1:]) == Decimal("42.50")


def test_the_period_page_links_the_pack(client, accountant, march):
    client.force_login(accountant)
    page = client.get(reverse("ledger:period", args=[march.pk])).content.decode()
    assert reverse("audit_pack", args=[march.pk, "xlsx"]) in page
    assert reverse("audit_pack", args=[march.pk, "zip"]) in page


def test_sales_roles_cannot_download_the_pack(client, sales_rep, sales_manager, march):
    for user in (sales_rep, sales_manager):
        client.force_login(user)
        assert client.get(reverse("audit_pack", args=[march.pk, "zip"])).status_code == 403


def test_an_unknown_format_or_period_is_not_found(client, accountant, march):
    client.force_login(accountant)
    assert client.get(f"/ledger/periods/{march.pk}/audit-pack.pdf").status_code == 404
    assert client.get(reverse("audit_pack", args=[march.pk + 99, "zip"])).status_code == 404


def test_the_pack_costs_the_same_queries_however_many_entries(client, accountant,
                                                              django_assert_max_num_queries):
    services.post_entries([balanced("1.00", on=MARCH) for _ in range(20)], by=accountant)
    period = services.ensure_period(MARCH)
    client.force_login(accountant)
    with django_assert_max_num_queries(38):  # the close checklist's 30, four sheets, the rest
        response = client.get(reverse("audit_pack", args=[period.pk, "zip"]))
    assert len(_zip_sheets(response)["journal"]) == 1 + 40
