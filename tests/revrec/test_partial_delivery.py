"""Partial transfer: a point-in-time obligation on an order earns unit by unit as its units are
delivered, through the database path (order fulfilment → run → journal → report).

Worked example: IFRS 15 IE Example 5 (IE19-IE20), 120 products for CU12,000 (CU100 each)
transferred over six months, control of each passing at a point in time: after 60 products the
entity has recognized CU6,000. Here, within the test account's credit limit, 30 edge gateways at
their list price 249.00 (7,470.00; SSP 249 each, one obligation): 10 delivered in December earn
10/30 of it, 2,490.00, and the 20 delivered in January the other 4,980.00.
"""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from catalog.demo import seed_catalog
from catalog.models import Product
from catalog.revenue_schedule import earned_by_delivery
from core.dates import add_months
from ledger import chart
from ledger.selectors import trial_balance
from orders.models import Order
from orders.services.fulfilment import fulfil_lines
from quotes.services import LineItem
from revrec.models import PerformanceObligation, RecognitionItem
from revrec.reports import Filters, recognized_revenue, remaining_obligations
from revrec.services import start_recognition_run
from tests.conftest import PASSWORD
from tests.revrec.factories import ordered_contract_of, revenue_contract_of

DEC, JAN = date(2026, 12, 1), date(2027, 1, 1)


def at(day, time_machine):
    time_machine.move_to(datetime(day.year, day.month, day.day, 9, tzinfo=UTC))


def run_month(month, accountant, captured, time_machine):
    at(add_months(month, 1) + (date(2000, 1, 3) - date(2000, 1, 1)), time_machine)
    with captured(execute=True):
        start_recognition_run(month=month, by=accountant)


def gateways_ordered(sales_rep, finance, captured, time_machine):
    at(date(2026, 12, 1), time_machine)
    seed_catalog()
    with captured(execute=True):
        contract = ordered_contract_of(sales_rep, by=finance, items=[
            LineItem(product=Product.objects.get(sku="DEVICE-GW"), quantity=D(30))])
    rc = revenue_contract_of(contract)
    order = Order.objects.get(contract=contract)
    return rc, order, order.lines.get()


def revenue(as_of):
    row = next((r for r in trial_balance(as_of).rows if r.code == chart.REVENUE), None)
    return row.balance if row else D(0)


@pytest.mark.django_db
def test_units_delivered_over_two_months_are_recognized_as_delivered(
        client, sales_rep, finance, accountant, time_machine,
        django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    # given: 30 gateways ordered; 10 delivered on 10 December
    rc, order, line = gateways_ordered(sales_rep, finance, captured, time_machine)
    gateways = PerformanceObligation.objects.get(revenue_contract=rc)
    assert (gateways.pattern, gateways.allocated) == ("point_in_time", D("7470.00"))
    assert not gateways.schedule.exists()  # nothing before a unit is delivered
    at(date(2026, 12, 10), time_machine)
    fulfil_lines(order=order, by=finance, quantities={line.pk: D(10)}, on=date(2026, 12, 10))

    # when: December is recognized, the other 20 are delivered on 20 January, January too
    run_month(DEC, accountant, captured, time_machine)
    (rpo,) = remaining_obligations(as_of=JAN).rows  # the 20 not delivered remain
    assert rpo[4:8] == [D("2490.00"), D("4980.00"), D(0), D("4980.00")]
    at(date(2027, 1, 20), time_machine)
    fulfil_lines(order=order, by=finance, quantities={line.pk: D(20)}, on=date(2027, 1, 20))
    run_month(JAN, accountant, captured, time_machine)

    # then: revenue by units delivered, dated on the deliveries, in the journal and the report
    assert list(gateways.schedule.order_by("month").values_list("start_on", "amount")) == [
        (date(2026, 12, 10), D("2490.00")), (date(2027, 1, 20), D("4980.00"))]
    assert dict(RecognitionItem.objects.filter(revenue_contract=rc).values_list(
        "month", "recognized")) == {DEC: D("2490.00"), JAN: D("4980.00")}
    assert revenue(date(2026, 12, 31)) == D("-2490.00")
    assert revenue(date(2027, 1, 31)) == D("-7470.00")
    report = recognized_revenue(first=DEC, last=JAN, filters=Filters(family="Hardware"))
    assert [row[4] for row in report.rows] == [D("2490.00"), D("4980.00")]
    client.login(username=accountant.username, password=PASSWORD)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "30 of 30 delivered" in page


@pytest.mark.django_db
def test_a_delivery_recorded_after_its_month_was_recognized_is_caught_up_in_the_next(
        sales_rep, finance, accountant, time_machine, django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    rc, order, line = gateways_ordered(sales_rep, finance, captured, time_machine)
    run_month(DEC, accountant, captured, time_machine)  # nothing delivered yet

    # 3 gateways delivered on 28 December, recorded on 5 January after December's run
    fulfil_lines(order=order, by=finance, quantities={line.pk: D(3)}, on=date(2026, 12, 28))
    run_month(JAN, accountant, captured, time_machine)

    assert dict(RecognitionItem.objects.filter(revenue_contract=rc).values_list(
        "month", "recognized")) == {DEC: D(0), JAN: D("747.00")}


@given(st.integers(0, 10**9), st.integers(1, 500), st.data())
def test_earned_by_delivery_grows_with_the_units_and_ends_at_the_amount(cents, ordered, data):
    amount = D(cents) / 100
    steps = sorted(data.draw(st.lists(st.integers(0, ordered), max_size=6)))
    earned = [earned_by_delivery(amount, "USD", ordered=D(ordered), delivered=D(n))
              for n in [*steps, ordered]]
    assert earned == sorted(earned)
    assert all(D(0) <= e <= amount for e in earned)
    assert earned[-1] == amount
