"""The snapshot refresh is set-based: its queries do not grow with the documents, and none
runs a subquery per row."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import MrrMonth, MrrSnapshot
from analytics.services.mrr import summarize_mrr_months
from analytics.services.receivables import refresh_receivable_months
from payments.models import LateCharge
from tests.payments.factories import account, issued_invoice
from tests.payments.test_dunning import dun
from tests.payments.test_late_charges import charging_policy, eur_invoice  # noqa: F401

pytestmark = pytest.mark.django_db

MONTHS = 3
# the ledger's movements, the billed totals, a delete and a bulk insert, and per month the
# aging's three (scheduled and unscheduled invoices, late charges)
RECEIVABLE_QUERIES = 4 + 3 * MONTHS


def refresh_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        refresh_receivable_months(on=date(2026, 11, 14), months=MONTHS)
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.mark.usefixtures("charging_policy")
def test_the_receivable_refresh_asks_as_many_queries_for_one_account_as_for_many(sales_rep,
                                                                                 other_rep):
    # given one overdue EUR invoice with its late charges
    eur_invoice()
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 14))
    assert LateCharge.objects.count() == 2
    one = refresh_queries()
    # when more owners, accounts, invoices and late charges are added
    for owner in (sales_rep, other_rep):
        for _ in range(2):
            issued_invoice(account_=account(currency="EUR", owner=owner),
                           net=Decimal("500.00"), on=date(2026, 10, 1))
        issued_invoice(account_=account(owner=owner), on=date(2026, 9, 10))
    dun(date(2026, 11, 2))
    # then the same queries
    assert LateCharge.objects.count() > 2
    assert one == refresh_queries() == RECEIVABLE_QUERIES


def test_retention_joins_the_snapshots_instead_of_a_subquery_per_account(finance, sales_rep):
    # given snapshots a year apart (figures: test_selectors' retention test)
    accounts = [account(owner=sales_rep) for _ in range(3)]
    for one, then, now in zip(accounts, ("100", "100", "100"), ("150", "50", "0"), strict=True):
        for month, mrr in ((date(2025, 12, 1), then), (date(2026, 12, 1), now)):
            MrrSnapshot.objects.create(account=one, owner=sales_rep, month=month,
                                       currency="USD", mrr=Decimal(mrr),
                                       previous_mrr=Decimal(mrr))
    # when
    with CaptureQueriesContext(connection) as queries:
        summarize_mrr_months([date(2026, 12, 1)], as_of=date(2026, 12, 31))
    # then one plain join per month: no correlated subquery run for every snapshot row
    # (issue 23: the subquery scanned the month's snapshots per account, twice)
    (retention,) = [q["sql"] for q in queries.captured_queries if "2025-12-01" in q["sql"]]
    assert retention.upper().count("SELECT") == 1
    month = MrrMonth.objects.get(month=date(2026, 12, 1))
    assert (month.year_ago, month.retained, month.retained_capped) == (300, 200, 150)
