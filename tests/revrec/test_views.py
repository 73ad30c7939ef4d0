"""Revenue pages by role, their actions with messages, exports, and query counts that do not
grow with the rows shown."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from revrec.models import RecognitionRun, RevenueContract, ScheduleLine
from tests.conftest import PASSWORD, make_user
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = pytest.mark.django_db

PAGES = ["revrec:contracts", "revrec:runs", "revrec:close", "revrec:reports"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("sales_rep", 403), ("sales_manager", 403), ("catalog_admin", 403),
    ("finance", 200), ("accountant", 200),
])
def test_revenue_pages_by_role(client, role_users, url_name, role, status):
    if role != "anonymous":
        login(client, role_users[role])

    assert client.get(reverse(url_name)).status_code == status


@pytest.mark.parametrize("slug", ["waterfall", "rollforward", "recognized", "rpo", "journal"])
def test_every_report_renders_and_exports(client, accountant, finance, slug):
    login(client, finance)

    assert client.get(reverse("revrec:report", args=[slug])).status_code == 200
    csv = client.get(reverse("revrec:report", args=[slug]), {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    xlsx = client.get(reverse("revrec:report", args=[slug]), {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_an_unknown_report_is_not_found(client, accountant):
    login(client, accountant)

    assert client.get(reverse("revrec:report", args=["nothing"])).status_code == 404


@pytest.mark.parametrize(("url_name", "data"), [
    ("revrec:start_run", {"month": "2026-11"}),
    ("revrec:close_month", {"month": "2026-11"}),
    ("revrec:contracts_refresh", {}),
])
def test_finance_may_look_but_not_act(client, finance, url_name, data):
    login(client, finance)

    assert client.post(reverse(url_name), data).status_code == 403


def test_the_accountant_starts_a_run_and_sees_its_progress(client, accountant,
                                                           django_capture_on_commit_callbacks):
    login(client, accountant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("revrec:start_run"), {"month": "2026-10"})

    run = RecognitionRun.objects.get(month=date(2026, 10, 1))
    assert response.url == reverse("revrec:run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Completed" in page and "Recognition October 2026" in page
    partial = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="run-progress"' in partial and "<html" not in partial


@pytest.mark.parametrize("state, live", [("pending", True), ("running", True),
                                         ("completed", False), ("failed", False)])
def test_a_run_is_live_until_it_completes_or_fails(state, live):
    assert RecognitionRun(state=state).is_live is live


def test_a_bad_month_comes_back_as_a_message(client, accountant):
    login(client, accountant)

    response = client.post(reverse("revrec:start_run"), {"month": "2026-11"}, follow=True)

    assert any("from its last day (2026-11-30)" in m for m in messages_of(response))


def test_the_contract_page_shows_the_allocation(client, sales_rep, finance, accountant):
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    login(client, accountant)

    body = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()

    assert "User seat" in body and "Onboarding package" in body
    assert "1,530.00" in body and "270.00" in body  # the seats' allocation and discount
    listing = client.get(reverse("revrec:contracts"), {"q": contract.number}).content.decode()
    assert rc.number in listing


def _copies(rc, count):
    """More revenue contracts of the same contract, for query counts over many rows."""
    RevenueContract.objects.bulk_create([
        RevenueContract(number=f"{rc.number}-X{n}", contract=rc.contract, account=rc.account,
                        currency=rc.currency, kind="separate", transaction_price=D(0),
                        created_on=rc.created_on)
        for n in range(count)])


def test_list_query_count_does_not_grow(client, sales_rep, finance, accountant):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    login(client, accountant)
    client.get(reverse("revrec:contracts"))  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("revrec:contracts"))
    _copies(rc, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("revrec:contracts")).status_code == 200

    assert len(many) == len(few)


def test_detail_query_count_does_not_grow_with_the_schedule(client, sales_rep, finance,
                                                            accountant):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    login(client, accountant)
    url = reverse("revrec:contract", args=[rc.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    seat = rc.obligations.get(product__sku="SEAT-USER")
    ScheduleLine.objects.bulk_create([
        ScheduleLine(obligation=seat, month=date(2030 + n // 12, n % 12 + 1, 1),
                     start_on=date(2030, 1, 1), end_on=date(2030, 1, 2), amount=D(0))
        for n in range(36)])
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_a_user_without_a_role_is_refused(client):
    user = make_user("nobody")
    login(client, user)

    assert client.get(reverse("revrec:contracts")).status_code == 403


def test_the_xlsx_export_holds_the_same_rows(client, accountant):
    import io

    from openpyxl import load_workbook

    login(client, accountant)
    response = client.get(reverse("revrec:report", args=["rollforward"]),
                          {"first": "2026-09", "last": "2026-11", "export": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Month", "Opening", "Billed", "Recognized")
    assert [row[0] for row in rows[1:]] == ["2026-09", "2026-10", "2026-11"]
