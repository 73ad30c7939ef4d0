"""What awaits delivery (the waterfall's last column, and the RPO's "within 12 months" for
point-in-time goods not yet delivered) is summed in the database: one query whatever the
number of obligations (issue 23: the waterfall under a second at 100,000 contracts), exact on
SQLite too, which adds the schedule's decimals in floating point.

Worked example: IFRS 15 IE Example 5 (IE19-IE20), products whose control passes one by one on
delivery; here 30 edge gateways at 249.00 (7,470.00), as in test_partial_delivery.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from core.dates import add_months
from orders.models import Order
from orders.services.fulfilment import fulfil_lines
from quotes.services import LineItem
from revrec import reports
from revrec.models import PerformanceObligation
from revrec.services.schedule_rows import insert_schedule_rows
from tests.revrec.factories import ordered_contract_of
from tests.revrec.test_partial_delivery import DEC, at, gateways_ordered

pytestmark = pytest.mark.django_db


def waterfall():
    return reports.revenue_waterfall(start=DEC, months=12)


def waiting(table):
    """The "Awaiting fulfilment" column per (currency, family)."""
    return {(row[0], row[1]): row[-2] for row in table.rows}


def queries(call) -> int:
    call()  # content types cached
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_waterfall_costs_two_queries_whatever_the_obligations_awaiting_delivery(
        sales_rep, finance, time_machine, django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    # given: 30 gateways ordered, none delivered
    gateways_ordered(sales_rep, finance, captured, time_machine)
    one = queries(waterfall)
    assert waiting(waterfall()) == {("USD", "Hardware"): D("7470.00")}

    # when: another order of 30 (and onboarding, scheduled on its date), 10 of the first
    # delivered
    with captured(execute=True):
        ordered_contract_of(sales_rep, by=finance, items=[
            LineItem(product=Product.objects.get(sku="DEVICE-GW"), quantity=D(30)),
            LineItem(product=Product.objects.get(sku="ONBOARDING"), quantity=D(1))])
    order = Order.objects.order_by("pk").first()
    at(date(2026, 12, 10), time_machine)
    fulfil_lines(order=order, by=finance, quantities={order.lines.get().pk: D(10)},
                 on=date(2026, 12, 10))

    # then: the same queries; the delivered units are no longer waiting (the run schedules
    # them), the other 20 + 30 are
    assert queries(waterfall) == one == 2
    assert waiting(waterfall())[("USD", "Hardware")] == D("14940.00")


def test_a_schedule_summed_in_floating_point_is_neither_short_nor_over(
        sales_rep, finance, time_machine, django_capture_on_commit_callbacks):
    # SQLite adds eight schedule lines of 0.10 as 0.7999999999999999: an obligation of 0.80
    # so scheduled waits for nothing; one of 0.81 waits for 0.01 exactly
    rc = gateways_ordered(sales_rep, finance, django_capture_on_commit_callbacks,
                          time_machine)[0]
    obligation = PerformanceObligation.objects.get(revenue_contract=rc)
    insert_schedule_rows([(obligation.pk, add_months(DEC, n), add_months(DEC, n),
                           add_months(DEC, n + 1), D("0.10")) for n in range(8)])
    PerformanceObligation.objects.filter(pk=obligation.pk).update(allocated=D("0.80"))

    assert waiting(waterfall()) == {("USD", "Hardware"): D(0)}
    assert reports._unscheduled_by_contract(reports.Filters()) == {}

    PerformanceObligation.objects.filter(pk=obligation.pk).update(allocated=D("0.81"))

    assert waiting(waterfall()) == {("USD", "Hardware"): D("0.01")}
    assert reports._unscheduled_by_contract(reports.Filters()) == {rc.pk: D("0.01")}
    (rpo,) = reports.remaining_obligations(as_of=DEC).rows
    assert rpo[5:] == [D("0.81"), D(0), D("0.81")]  # 0.80 scheduled, 0.01 waiting
