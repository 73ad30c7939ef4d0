"""An amount-off coupon across an amendment that replaces some of the lines it covers (issue
17): the coupon takes its amount once a billing period over the lines it covers, never twice and
never lost.

The rule (contracts.services.coupons): the rows a change keeps stand as stored; the new lines
that carry the coupon from the lines they replace share, in each billing period, what the
replaced line's rows took off in that period, less what its shortened row keeps for the days it
still serves (its row split by days by largest remainder, as `catalog.charge_schedule.end_early`
splits it); several coupons on the row share what it keeps of them in proportion to what each
took, by largest remainder (`catalog.coupons.left_after_cut`), so no cent is lost. Stripe's
coupon object: `amount_off` is the "Amount (in the currency specified) that will be taken off
the subtotal of any invoices for this customer" (docs.stripe.com/api/coupons/object), once an
invoice: here once a billing period.

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


def test_two_amendments_in_a_row_take_each_amount_once_in_the_month_both_cut(sales_rep, finance):
    """$3.00 and $2.00 off every month (forever, stacked), Stripe's `amount_off` taken once an
    invoice (docs.stripe.com/api/coupons/object): here once a billing period. The first
    amendment (8 seats from 15 March) carries onto its new seats what is left of each amount in
    March ($1.64 and $1.09); the second (7 seats, $178.50 a month, from 24 March) cuts those new
    seats' March row, which was already reduced. Each line's March before the coupons: the old
    seats 14 of 31 days of $127.50, $57.58; the 8 seats 9 of 17 days of $111.87, $59.23; the 7
    seats 8 of 31 days of $178.50, $46.06: $162.87.

    Rebuilding each coupon's part of the 8 seats' March row as if it took its whole amount (not
    what the first amendment left of it) carried $0.34 onto the 7 seats instead of $1.28: March
    charged $158.82, $4.05 off.

    The coupons share what a cut row keeps of them together (`catalog.coupons.left_after_cut`:
    in proportion to what each took, largest remainder). The first amendment: the old seats'
    row keeps $57.58 − $55.32 = $2.26 of the coupons, $1.356 : $0.904, so $1.36 and $0.90; the
    8 seats take $1.64 + $1.10 = $2.74, March $109.13. The second: that row keeps 9 of 17 days,
    $59.23 of $111.87 and $57.77 of $109.13, so $1.46 of the coupons, $0.8739 : $0.5861 of it
    by 1.64 : 1.10, so $0.87 and $0.59; the 7 seats take $0.77 + $0.51 = $1.28, $44.78. March
    $157.87, $5.00 off. Rounding each coupon's kept share on its own kept a cent more at the
    first amendment ($1.36 + $0.91): the 8 seats' March was $109.14 and March $4.99 off."""
    from contracts import services
    from quotes import services as quote_services
    from tests.contracts.factories import ON

    # given: the first amendment applied
    contract = contract_with(
        sales_rep, finance,
        lambda: coupon("THREE", amount_off=D(3), currency="USD", duration="forever"),
        lambda: coupon("TWO", amount_off=D(2), currency="USD", duration="forever"))
    first = applied(amendment_quote(contract, sales_rep, D(8))[0], sales_rep)

    # when: the second cuts the first's new seats on 24 March
    second = services.start_amendment(contract=contract, by=sales_rep,
                                      effective_on=EFFECTIVE.replace(day=24), on=ON)
    line = second.quote.lines.get(product__sku="SEAT-USER")
    quote_services.update_line(line=line, by=sales_rep, quantity=D(7))
    second = applied(second, sales_rep)

    # then: March's rows in force on the three seat lines take $5.00 off in all
    march = ScheduledCharge.objects.filter(
        line__contract=contract, line__product__sku="SEAT-USER", ended_by__isnull=True,
        period_start__year=2027, period_start__month=3).exclude(kind="credit")
    assert sorted(march.values_list("period_start__day", "period_end__day")) == [
        (1, 14), (15, 23), (24, 31)]
    assert sorted(march.values_list("amount", flat=True)) == [
        D("44.78"), D("55.32"), D("57.77")]
    assert D("162.87") - sum(march.values_list("amount", flat=True)) == D("5.00")
    assert new_seat_rows(second)[1:] == [D("173.50")] * 8  # $178.50 − $5.00 from April
    assert ScheduledCharge.objects.get(  # as the first amendment stored it, now ended
        line__amendment=first, line__product__sku="SEAT-USER",
        period_start=EFFECTIVE, period_end=EFFECTIVE.replace(day=31)).amount == D("109.13")


def test_two_amount_off_coupons_take_their_amounts_exactly_in_the_month_one_amendment_cuts(
        sales_rep, finance):
    """$4.00 and $2.00 off every month (forever, stacked; $6.00 keeps the seats within the 20 %
    line discount that needs approval): the seats' rows are $127.50 − $6.00 = $121.50. The
    amendment sets 8 seats from 16 March, prorated as Stripe's "Prorations" page shows for a
    change within a period (docs.stripe.com/billing/subscriptions/prorations: the old price
    keeps the time used, the new price charges the time remaining): the old seats keep 15 of 31
    days, $61.69 of $127.50 before the coupons and $58.79 of their row, so the coupons took
    $2.90 off the days kept; the 8 seats charge 16 of 31 days of $204.00, $105.29. Each coupon
    is Stripe's `amount_off`, taken once an invoice (docs.stripe.com/api/coupons/object): here
    once a billing period, so March takes $6.00 in all across the old and new rows.

    The $2.90 kept is split between the coupons in proportion to what they took (4:2), by
    largest remainder: $1.9333 and $0.9667, the odd cent to the larger remainder, $1.93 and
    $0.97; the 8 seats take the rest, $2.07 + $1.03 = $3.10: $102.19. Each coupon's kept share
    rounded on its own ($125.50 and $123.50 before it, split 15:16, less $58.79: $1.94 and $0.97)
    kept $2.91, a cent more than the row kept: the 8 seats took $3.09, $102.20, and March
    $5.99."""
    from contracts import services
    from quotes import services as quote_services
    from tests.contracts.factories import ON

    # given
    contract = contract_with(
        sales_rep, finance,
        lambda: coupon("FOUR", amount_off=D(4), currency="USD", duration="forever"),
        lambda: coupon("TWO", amount_off=D(2), currency="USD", duration="forever"))
    old = contract.lines.get(product__sku="SEAT-USER")
    assert ScheduledCharge.objects.filter(line=old).first().amount == D("121.50")

    # when: 8 seats from 16 March
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE.replace(day=16), on=ON)
    line = amendment.quote.lines.get(product__sku="SEAT-USER")
    quote_services.update_line(line=line, by=sales_rep, quantity=D(8))
    amendment = applied(amendment, sales_rep)

    # then
    kept = ScheduledCharge.objects.get(line=old, ended_by__isnull=True,
                                       period_start__month=3, period_start__year=2027)
    assert (kept.period_end.day, kept.amount) == (15, D("58.79"))
    assert new_seat_rows(amendment) == [D("102.19")] + [D("198.00")] * 8
    assert D("61.69") + D("105.29") - (kept.amount + new_seat_rows(amendment)[0]) == D("6.00")
