"""General ledger exports over the API: listed and downloaded by finance and accountants within
their key's scopes, refused to sales roles, the download the same file as the page's."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
import yaml
from django.db.models import Sum
from django.urls import reverse

from ledger import services
from ledger.models import JournalLine, LedgerExport
from tests.api.conftest import errors_of
from tests.ledger.factories import balanced

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 15)


@pytest.fixture
def export(accountant, finance):
    services.post_entries([balanced("10.00", on=MARCH), balanced("2.50", on=MARCH)], by=finance)
    return services.export_journal_entries(by=accountant, format="csv")


def test_finance_lists_exports_and_downloads_the_same_file_as_the_page(client_for, client,
                                                                       finance, export):
    api = client_for(finance)

    listed = api.get("/api/v1/ledger/exports/").json()["results"]
    response = api.get(f"/api/v1/ledger/exports/{export.pk}/download/")

    assert [(row["reference"], row["entry_count"], row["total_debit"], row["format"])
            for row in listed] == [("GLX-00001", 2, "12.5000", "csv")]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    client.force_login(finance)
    page = client.get(reverse("ledger:export_download", args=[export.pk]))
    assert content == b"".join(page.streaming_content)
    assert content.count(b"\n") == 5  # header and four lines


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "catalog_admin"])
def test_sales_and_catalog_roles_are_refused(client_for, role_users, export, role):
    api = client_for(role_users[role])
    assert api.get("/api/v1/ledger/exports/").status_code == 403
    assert api.get(f"/api/v1/ledger/exports/{export.pk}/download/").status_code == 403


def test_a_key_without_the_export_scope_is_refused(client_for, accountant, export):
    api = client_for(accountant, scopes=["ledger.view_journalentry"])
    assert api.get("/api/v1/ledger/exports/").status_code == 403
    assert client_for(accountant).get("/api/v1/ledger/exports/").status_code == 200


def test_the_list_pages_by_cursor_at_the_same_query_count(client_for, accountant, finance,
                                                          export, django_assert_num_queries):
    api = client_for(accountant)
    api.get("/api/v1/ledger/exports/")
    with django_assert_num_queries(4):  # key, permissions (2), exports with period and user
        api.get("/api/v1/ledger/exports/")
    for day in (1, 2, 3):
        services.post_entry(balanced("1.00", on=MARCH.replace(day=day)), by=finance)
        services.export_journal_entries(by=accountant, format="saft")
    with django_assert_num_queries(4):
        first = api.get("/api/v1/ledger/exports/?limit=2").json()
    assert [row["reference"] for row in first["results"]] == ["GLX-00004", "GLX-00003"]
    rest = api.get(first["next"]).json()
    assert [row["reference"] for row in rest["results"]] == ["GLX-00002", "GLX-00001"]


def test_the_schema_describes_the_exports(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert "/api/v1/ledger/exports/" in schema["paths"]
    assert "/api/v1/ledger/exports/{id}/download/" in schema["paths"]


def _csv_totals(content: bytes) -> tuple[D, D, int]:
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    return (sum(D(row["debit"] or 0) for row in rows), sum(D(row["credit"] or 0) for row in rows),
            len(rows))


def test_the_accountant_exports_a_period_and_the_file_round_trips(client_for, accountant,
                                                                  finance):
    # given March's entries and one of April
    services.post_entries([balanced("10.00", on=MARCH), balanced("2.50", on=MARCH),
                           balanced("7.00", on=dt.date(2026, 4, 2))], by=finance)
    api = client_for(accountant)

    # when March is exported through the API
    response = api.post_json("/api/v1/ledger/exports/", {"format": "csv",
                                                         "period": "2026-03-31"})

    # then the file's lines add up to the period's movement, and the export says so
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["period"], body["entry_count"], body["total_debit"]) == (
        "2026-03-01", 2, "12.5000")
    file = api.get(f"/api/v1/ledger/exports/{body['id']}/download/")
    debit, credit, lines = _csv_totals(b"".join(file.streaming_content))
    movement = JournalLine.objects.filter(entry__posted_on__month=3).aggregate(
        debit=Sum("debit"), credit=Sum("credit"))
    assert debit == credit == movement["debit"] == movement["credit"] == D("12.50")
    assert lines == 4


def test_an_export_with_nothing_new_is_refused_naming_the_period(client_for, accountant,
                                                                 export):
    response = client_for(accountant).post_json("/api/v1/ledger/exports/", {"format": "saft"})
    assert response.status_code == 400
    assert list(errors_of(response)) == ["period"]
    assert "already exported" in errors_of(response)["period"][0]


def test_a_day_outside_every_period_and_a_bad_format_are_named(client_for, accountant):
    response = client_for(accountant).post_json("/api/v1/ledger/exports/", {
        "format": "pdf", "period": "1990-01-01"})
    assert response.status_code == 400
    assert sorted(errors_of(response)) == ["format", "period"]


@pytest.mark.parametrize("role", ["finance", "sales_rep", "catalog_admin"])
def test_only_the_accountant_makes_exports(client_for, role_users, finance, role):
    services.post_entry(balanced("1.00", on=MARCH), by=finance)
    response = client_for(role_users[role]).post_json("/api/v1/ledger/exports/",
                                                      {"format": "csv"})
    assert response.status_code == 403
    assert not LedgerExport.objects.exists()


def test_an_accountant_key_without_the_export_scope_cannot_export(client_for, accountant,
                                                                  finance):
    services.post_entry(balanced("1.00", on=MARCH), by=finance)
    api = client_for(accountant, scopes=["ledger.view_ledgerexport"])
    assert api.post_json("/api/v1/ledger/exports/", {"format": "csv"}).status_code == 403
    assert not LedgerExport.objects.exists()


def test_an_export_is_replayed_under_its_key_not_made_twice(client_for, accountant, finance):
    services.post_entry(balanced("1.00", on=MARCH), by=finance)
    api = client_for(accountant)
    first = api.post_json("/api/v1/ledger/exports/", {"format": "csv"}, key="glx-1")
    again = api.post_json("/api/v1/ledger/exports/", {"format": "csv"}, key="glx-1")
    other = api.post_json("/api/v1/ledger/exports/", {"format": "saft"}, key="glx-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json() and LedgerExport.objects.count() == 1
