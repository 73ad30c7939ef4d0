"""General ledger exports over the API: listed and downloaded by finance and accountants within
their key's scopes, refused to sales roles, the download the same file as the page's."""

import datetime as dt

import pytest
import yaml
from django.urls import reverse

from ledger import services
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
