"""Amendments and terminations through the contracts services, as revrec then treats them:
prospective by default, a separate contract for distinct goods at their SSP, and a termination
that stops the schedule and trues up.

The contract (tests.contracts.factories): 1 December 2026 to 30 November 2027, 5 seats monthly
at 15% off (net 1,530.00 allocated to the seats) and onboarding (5,000.00).
"""

from datetime import date
from decimal import Decimal as D

import pytest

from catalog import revenue_schedule as schedules
from catalog.models import Product
from contracts import services as contract_services
from quotes import services as quote_services
from revrec.models import ObligationStatus, PerformanceObligation, RevenueContract, ScheduleLine
from revrec.services import create_revenue_contracts
from tests.contracts.test_amendments import EFFECTIVE, amended_to
from tests.revrec.factories import START, active_contract, revenue_contract_of, system

pytestmark = pytest.mark.django_db


def schedule_of(obligation):
    return [schedules.ScheduleLine(s.month, s.start_on, s.end_on, s.amount)
            for s in ScheduleLine.objects.filter(obligation=obligation).order_by("month")]


def seats_of(rc):
    return PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER",
                                             predecessor__isnull=True)


def test_more_seats_from_march_are_spread_prospectively(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    before = schedule_of(seats_of(rc))

    # when: 8 seats from 15 March 2027 (653.95 more for the rest of the term)
    amended_to(contract, sales_rep, D(8))
    create_revenue_contracts(by=system(), on=START)

    # then: the old seats keep what they earned to 14 March, the new line takes the rest
    rc.refresh_from_db()
    old = seats_of(rc)
    new = PerformanceObligation.objects.get(predecessor=old)
    assert (old.status, old.ended_on) == (ObligationStatus.ENDED, EFFECTIVE)
    assert rc.transaction_price == D("6530.00") + D("653.95")
    kept, rest = schedule_of(old), schedule_of(new)
    assert kept[-1].end == EFFECTIVE and rest[0].start == EFFECTIVE
    assert sum(s.amount for s in kept + rest) == D("1530.00") + D("653.95")
    # the same figures as the pure prospective amendment of the whole schedule
    whole = schedules.amend_prospectively(before, "USD", effective=EFFECTIVE,
                                          change=D("653.95"))
    by_month = {}
    for line in kept + rest:
        by_month[line.month] = by_month.get(line.month, D(0)) + line.amount
    assert by_month == {line.month: line.amount for line in whole}
    assert RevenueContract.objects.filter(contract=contract).count() == 1


def test_a_distinct_item_at_its_ssp_is_a_separate_contract(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    training = quote_services.LineItem(product=Product.objects.get(sku="TRAINING-DAY"))

    amended_to(contract, sales_rep, D(5), extra=[training])
    create_revenue_contracts(by=system(), on=START)

    separate = RevenueContract.objects.get(contract=contract, kind="separate")
    assert separate.transaction_price == D("1500.00")
    obligation = separate.obligations.get()
    assert (obligation.product.sku, obligation.allocated) == ("TRAINING-DAY", D("1500.00"))
    assert not PerformanceObligation.objects.filter(revenue_contract=rc,
                                                    status=ObligationStatus.ENDED).exists()


def test_a_termination_stops_the_schedule_and_trues_up(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)

    # when
    contract_services.terminate_contract(contract=contract, by=finance, effective_on=EFFECTIVE,
                                         reason="Customer went out of business")
    create_revenue_contracts(by=system(), on=START)

    # then: nothing after March; what is kept is the price of the service used
    seats = seats_of(rc)
    kept = schedule_of(seats)
    assert (seats.status, seats.ended_on) == (ObligationStatus.ENDED, EFFECTIVE)
    assert kept[-1].month == date(2027, 3, 1) and kept[-1].end == EFFECTIVE
    used = D("1530.00") - D("1089.92")  # the rest of the term is no longer due
    assert sum(s.amount for s in kept) == used
    rc.refresh_from_db()
    assert rc.transaction_price == D("6530.00") - D("1089.92")
    assert create_revenue_contracts(by=system(), on=START) == []


def test_fewer_seats_from_march_spread_what_is_left_less_the_credit(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)

    amendment = amended_to(contract, sales_rep, D(2))
    create_revenue_contracts(by=system(), on=START)

    old = seats_of(rc)
    new = PerformanceObligation.objects.get(predecessor=old)
    total = sum(s.amount for s in schedule_of(old) + schedule_of(new))
    assert amendment.prorated_total < 0
    assert total == D("1530.00") + amendment.prorated_total
