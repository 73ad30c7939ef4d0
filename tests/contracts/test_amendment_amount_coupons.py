"""An amount-off coupon across an amendment that replaces some of the lines it covers (issue
17): the coupon takes its amount once a billing period over the lines it covers, never twice and
never lost.

The rule (contracts.services.coupons): the rows a change keeps stand as stored; the new lines
that carry the coupon from the lines they replace share, in each billing period, what the
replaced line's rows took off in that period, less what its shortened row keeps for the days it
still serves (its row split by days by largest remainder, as `catalog.charge_schedule.end_early`
splits it). Stripe's coupon object: `amount_off` is the "Amount (in the currency specified)
that will be taken off the subtotal of any invoices for this customer"
(docs.stripe.com/api/coupons/object), once an invoice: here once a billing period.

The contract: 5 seats at $30 a month, 15 % off, $127.50 a month from 1 December 2026, with
$5.00 off every month (forever) on the seats: rows of $122.50. The amendment from 15 March 2027
sets 8 seats ($204.00 a month; 15-31 March is 17/31 of it, $111.87). March: the old seats keep
14 of 31 days of their row, $55.32 of $122.50, for $57.58 of the $127.50 before the coupon (so
their share of the coupon is $2.26); the new seats take the rest of March's $5.00, $2.74, so
$109.13 (before this rule they took $5.00 again: $106.87, $7.26 off March); from April
$204.00 − $5.00 = $199.00."""

from decimal import Decimal as D

import pytest

from contracts.models import ScheduledCharge
from tests.contracts.test_amendment_coupons import (
    amendment_quote,
    applied,
    contract_with,
    coupon,
    new_seat_rows,
)
from tests.contracts.test_amendments import EFFECTIVE

pytestmark = pytest.mark.django_db


def test_an_amount_off_coupon_is_taken_once_in_the_period_an_amendment_cuts(sales_rep, finance):
    # given
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "EASY5", amount_off=D(5), currency="USD", duration="forever"))
    old = contract.lines.get(product__sku="SEAT-USER")

    # when
    amendment = applied(amendment_quote(contract, sales_rep, D(8))[0], sales_rep)

    # then: the new seats take what is left of each month's $5.00
    assert new_seat_rows(amendment) == [D("109.13")] + [D("199.00")] * 8
    kept = ScheduledCharge.objects.get(line=old, ended_by__isnull=True,
                                       period_start__month=3, period_start__year=2027)
    assert kept.amount == D("55.32")
    # March in all: $57.58 + $111.87 for the seats before the coupon, $5.00 off in all
    assert D("57.58") + D("111.87") - (kept.amount + new_seat_rows(amendment)[0]) == D("5.00")
    assert EFFECTIVE.day == 15


def test_only_the_amount_off_coupons_own_part_is_carried_when_a_percentage_ran_too(
        sales_rep, finance):
    """1 % off forever then $5.00 off forever on the seats (stacked in that order): the old
    rows are $127.50 − $1.28 − $5.00 = $121.22. What the amendment carries is the $5.00
    coupon's part only: in March $5.00 less the $2.26 it keeps on the 14 days of the old seats
    (their row before it, $126.22, split 14:17 by days is $57.00, their row $54.74), so $2.74;
    from April $5.00. The new seats: March $111.87 − 1 % ($1.12) − $2.74 = $108.01, then
    $204.00 − $2.04 − $5.00 = $196.96. Counting the 1 % coupon's part as well carried $3.44
    in March and $6.28 a month after ($107.31, then $195.68): more than $5.00 off a month."""
    # given
    contract = contract_with(
        sales_rep, finance, lambda: coupon("ONE", percent_off=D(1), duration="forever"),
        lambda: coupon("EASY5", amount_off=D(5), currency="USD", duration="forever"))
    old = contract.lines.get(product__sku="SEAT-USER")
    assert ScheduledCharge.objects.filter(line=old).first().amount == D("121.22")

    # when
    amendment = applied(amendment_quote(contract, sales_rep, D(8))[0], sales_rep)

    # then
    assert new_seat_rows(amendment) == [D("108.01")] + [D("196.96")] * 8
    kept = ScheduledCharge.objects.get(line=old, ended_by__isnull=True,
                                       period_start__month=3, period_start__year=2027)
    assert kept.amount == D("54.74")
