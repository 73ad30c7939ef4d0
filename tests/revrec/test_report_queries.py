"""The close checklist and the revrec reports aggregate in the database: their query counts do not
grow with the months asked or the contracts recognized (issue 23: under a second each on two
years of 100,000 contracts, bench/bench_revrec_reports.py)."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from core.money import round_money
from revrec import reports
from revrec.checklist import close_checklist
from revrec.models import RecognitionItem, RecognitionRun, RecognizedRevenue
from tests.revrec.factories import active_contract, revenue_contract_of
from tests.revrec.test_reports import DEC, FEB, recognized, run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

# the nine checks: draft invoices, usage (the accounts' time zones, then the count), the
# month's run and what is left to recognize, the trial balance, receivables (the GL accounts
# with the latest kept month, then both sides compared in one statement), both sides of
# customer credits (payments' three, the ledger's one), the unbilled receivable (as
# receivables: the contract assets and the interest in arrears beside the ledger's),
# and the disclosures (the runs' revenue, the ledger's, the roll-forward's four sums, and the
# returns' and financing's six: goods returned settle the refund liability and the return
# asset, IFRS 15.B25)
CHECKLIST_QUERIES = 27  # 30 when receivables and unbilled read both sides into Python


def queries(call) -> int:
    call()  # content types cached, as on any page after the first
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


# the schedule's months, and what awaits delivery (one query: the obligations whose price
# exceeds their schedule, summed per currency and family in the database; it read each open
# point-in-time obligation into Python before, 3 queries)
WATERFALL_QUERIES = 2


def test_the_rollforward_costs_four_queries_for_one_month_or_three(recognized):  # noqa: F811
    # billed, the runs' totals, the refunds goods returned settled, the ledger
    one = queries(lambda: reports.deferred_revenue_rollforward(first=FEB, last=FEB))
    three = queries(lambda: reports.deferred_revenue_rollforward(first=DEC, last=FEB))

    assert one == three == 4


def test_the_disaggregation_and_the_waterfall_do_not_grow_with_the_months(
        recognized):  # noqa: F811
    assert queries(lambda: reports.revenue_disaggregation(first=DEC, last=DEC)) == queries(
        lambda: reports.revenue_disaggregation(first=DEC, last=FEB)) == 3
    assert queries(lambda: reports.revenue_waterfall(start=FEB, months=1)) == queries(
        lambda: reports.revenue_waterfall(start=FEB, months=12)) == WATERFALL_QUERIES


def test_the_close_checklist_costs_the_same_queries_with_more_contracts(
        recognized, sales_rep, finance, accountant,  # noqa: F811
        django_assert_max_num_queries, django_capture_on_commit_callbacks):
    with django_assert_max_num_queries(CHECKLIST_QUERIES + 3):  # content types, first call
        close_checklist(FEB)
    before = queries(lambda: close_checklist(FEB))
    # more contracts, recognized from March on
    for _ in range(2):
        revenue_contract_of(active_contract(sales_rep, by=finance))
    run(date(2027, 3, 1), accountant, django_capture_on_commit_callbacks)

    with django_assert_max_num_queries(before):
        checks = close_checklist(date(2027, 3, 1))
    assert before == CHECKLIST_QUERIES
    assert next(check for check in checks if check.key == "recognition").done


def test_each_run_carries_the_totals_of_its_items_and_revenue_rows(recognized):  # noqa: F811
    def usd(total):  # SQLite sums decimals in floating point
        return round_money(total, "USD")

    for month_run in RecognitionRun.objects.all():
        items = RecognitionItem.objects.filter(run=month_run).aggregate(
            revenue=Sum("recognized_functional"), fx=Sum("fx_difference"))
        rows = RecognizedRevenue.objects.filter(item__run=month_run).aggregate(
            total=Sum("amount_functional"))
        assert (month_run.recognized_functional, month_run.fx_difference,
                month_run.revenue_functional) == (usd(items["revenue"]), usd(items["fx"]),
                                                  usd(rows["total"]))
    assert RecognitionRun.objects.filter(revenue_functional__gt=0).count() == 3


def test_the_runs_totals_disaggregate_as_the_schedule_lines_they_marked(
        recognized):  # noqa: F811
    # the customer's filter reads the schedule lines the runs marked; without it, the totals
    customer = recognized.account.name
    from_lines = reports.revenue_disaggregation(first=DEC, last=FEB,
                                                filters=reports.Filters(account=customer))
    from_totals = reports.revenue_disaggregation(first=DEC, last=FEB)

    assert from_totals.rows == from_lines.rows
    assert {row[0] for row in from_totals.rows} == {"Seats", "Services"}


# the last month recognized, the RPO's schedule sums and its one for what awaits delivery (two
# before it was summed in the database), what was billed (invoices, credit notes), the revenue
# contracts, and the month's roll-forward (four)
RPO_RECONCILIATION_QUERIES = 10


def test_the_rpo_reconciliation_costs_the_same_queries_with_more_contracts(
        recognized, sales_rep, finance, accountant,  # noqa: F811
        django_capture_on_commit_callbacks):
    before = queries(lambda: reports.rpo_reconciliation(as_of=FEB))
    for _ in range(2):
        revenue_contract_of(active_contract(sales_rep, by=finance))
    run(date(2027, 3, 1), accountant, django_capture_on_commit_callbacks)

    after = queries(lambda: reports.rpo_reconciliation(as_of=date(2027, 3, 1)))

    assert before == after == RPO_RECONCILIATION_QUERIES
