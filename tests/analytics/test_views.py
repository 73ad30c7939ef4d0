import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import MrrSnapshot, ReceivableMonth
from analytics.services.mrr import summarize_mrr_months
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "status"), [
    ("sales_rep", 403), ("sales_manager", 200), ("finance", 200), ("accountant", 200),
    ("catalog_admin", 403),
])
@pytest.mark.parametrize("url_name", ["analytics:dashboard", "analytics:export"])
def test_who_may_open_analytics(client, role_users, who, status, url_name):
    client.force_login(role_users[who])
    assert client.get(reverse(url_name)).status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("analytics:dashboard"))
    assert response.status_code == 302 and "/login/" in response.url


def _snapshots(count, owner):
    for _ in range(count):
        account = AccountFactory(owner=owner)
        for month in (date(2026, 10, 1), date(2026, 11, 1)):
            MrrSnapshot.objects.create(account=account, owner=owner, month=month,
                                       currency="USD", mrr=Decimal("100"),
                                       previous_mrr=Decimal("100"))
    summarize_mrr_months([date(2026, 10, 1), date(2026, 11, 1)], as_of=date(2026, 11, 23))
    row, _ = ReceivableMonth.objects.get_or_create(month=date(2026, 11, 1), owner=owner,
                                                   currency="USD", as_of=date(2026, 11, 23))
    row.billed += count
    row.receivable += count
    row.days_1_30 += count
    row.save()


def test_page_queries_do_not_grow_with_the_accounts(client, finance, sales_rep):
    client.force_login(finance)
    counts = []
    for more in (2, 30):
        _snapshots(more, sales_rep)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("analytics:dashboard"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    body = response.content.decode()
    assert b"<svg" in response.content and "Win rate" in body
    assert "AR aging" in body and reverse("payments:aging") in body
    assert response.context["report"].receivables.aging[1].amount == 32  # 2 + 30


def test_csv_export_lists_figures_with_definitions_and_the_months(client, finance, sales_rep):
    _snapshots(3, sales_rep)
    client.force_login(finance)

    response = client.get(reverse("analytics:export"),
                          {"start": "2026-10", "end": "2026-11", "currency": "", "owner": ""})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["figure", "value", "unit", "definition"]
    mrr = next(row for row in rows if row[0] == "MRR")
    assert (Decimal(mrr[1]), mrr[2]) == (Decimal("300.00"), "USD")
    months = rows[rows.index(["month", "opening MRR", "new", "expansion", "contraction", "churn",
                              "closing MRR", "ARR", "paying accounts", "churned accounts"]) + 1:]
    assert [m[0] for m in months[:months.index([])]] == ["2026-10", "2026-11"]
    aging = months[months.index([]) + 1:]
    assert aging[0] == ["AR aging on", "Current", "1–30 days", "31–60 days", "61–90 days",
                        "Over 90 days", "total"]


def test_a_backwards_period_is_refused_at_the_field(client, finance):
    client.force_login(finance)

    response = client.get(reverse("analytics:dashboard"), {"start": "2026-11", "end": "2026-01"})

    assert "The last month comes before the first." in response.context["form"].errors["end"]
