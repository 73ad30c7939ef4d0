"""Coupons that keep running when a contract changes (`quotes.coupon_amounts`, issue 17):
`running_coupon_schedule` takes coupons off the lines they cover, each line carrying the periods
a coupon has already run (an amendment's replacement line, a renewal's line), and
`periods_before` counts those periods by date.

Worked examples: Stripe's repeating coupon runs "for duration_in_months from redemption" and a
forever coupon "applies to every invoice" (https://docs.stripe.com/api/coupons/object); a coupon
of two months "will be applied to all invoices generated ... in the 2 months from when the coupon
gets added", so an update in the middle of the second month still gets it and the third month
does not. Chargebee's `limited_period` coupon counts billing cycles from when it was applied
(https://www.chargebee.com/docs/2.0/coupons.html#duration)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from catalog.charge_schedule import LineTerms
from catalog.coupons import CouponTerms
from quotes.coupon_amounts import (
    RunningCoupon,
    ScheduledLine,
    coupon_schedule,
    periods_before,
    running_coupon_schedule,
)


def monthly_terms(start: date, end: date = date(2027, 11, 30)) -> LineTerms:
    return LineTerms(currency="USD", billing_period="monthly", amount_per_period=D("100.00"),
                     start_on=start, end_on=end)


def test_a_stripe_two_month_coupon_still_discounts_an_update_inside_its_second_month():
    # redeemed 1 January; the seats change on 15 February (inside the second month): the new
    # line's part February is the coupon's second period, March its third (not discounted)
    ran = periods_before(monthly_terms(date(2027, 2, 15)), date(2027, 1, 1), date(2027, 2, 15))
    coupon = RunningCoupon(CouponTerms("TWO", percent_off=D(50), duration="repeating",
                                       periods=2), offsets={"seats": ran})

    schedule = running_coupon_schedule(
        [coupon], [ScheduledLine("seats", 1, (D("50.00"), D("100.00"), D("100.00")))], "USD")

    assert ran == 1
    assert schedule.by_line["seats"] == (D("25.00"), D("0.00"), D("0.00"))


def test_an_update_on_a_period_boundary_starts_the_next_period():
    assert periods_before(monthly_terms(date(2027, 3, 1)), date(2027, 1, 1),
                          date(2027, 3, 1)) == 2
    assert periods_before(monthly_terms(date(2027, 1, 1)), date(2027, 1, 1),
                          date(2027, 1, 1)) == 0


def test_a_renewal_after_a_year_of_monthly_periods_has_twelve_behind_it():
    terms = monthly_terms(date(2027, 12, 1), date(2028, 11, 30))
    assert periods_before(terms, date(2026, 12, 1), date(2027, 12, 1)) == 12
    annual = replace(terms, billing_period="annual")
    assert periods_before(annual, date(2026, 12, 1), date(2027, 12, 1)) == 1


def test_a_coupon_covers_only_its_lines():
    # a forever coupon carried on the seats an amendment changed, not on a product it added
    coupon = RunningCoupon(CouponTerms("LOYAL", percent_off=D(10), duration="forever"),
                           keys=frozenset({"seats"}))
    lines = [ScheduledLine("seats", 1, (D("200.00"),) * 2),
             ScheduledLine("added", 1, (D("100.00"),) * 2)]

    schedule = running_coupon_schedule([coupon], lines, "USD")

    assert schedule.by_line == {"seats": (D("20.00"),) * 2, "added": (D("0.00"),) * 2}


amounts = st.decimals(min_value=D(0), max_value=D("99999.99"), places=2)
charges = st.lists(amounts, min_size=0, max_size=8).map(tuple)
durations = st.sampled_from(["once", "repeating", "forever"])


@st.composite
def coupons(draw, code: str):
    duration = draw(durations)
    periods = draw(st.integers(1, 6)) if duration == "repeating" else None
    if draw(st.booleans()):
        return CouponTerms(code, percent_off=draw(st.decimals(D("0.01"), D(100), places=2)),
                           duration=duration, periods=periods)
    return CouponTerms(code, amount_off=draw(st.decimals(D("0.01"), D(5000), places=2)),
                       currency="USD", duration=duration, periods=periods)


lines_strategy = st.lists(charges, min_size=1, max_size=4).map(
    lambda all_charges: [ScheduledLine(f"l{n}", n % 2, c) for n, c in enumerate(all_charges)])


@given(st.lists(st.integers(0, 3), max_size=3, unique=True).flatmap(
    lambda idx: st.tuples(*(coupons(f"C{i}") for i in idx))), lines_strategy)
def test_with_every_line_covered_and_nothing_run_it_is_the_quotes_schedule(terms, lines):
    running = [RunningCoupon(t) for t in terms]

    assert running_coupon_schedule(running, lines, "USD") == coupon_schedule(terms, lines, "USD")


@given(coupons("C"), st.integers(0, 8), lines_strategy)
def test_having_run_k_periods_is_running_the_rest_from_now(terms, ran, lines):
    # a repeating coupon of N periods that ran k is a coupon of N - k periods from now; a
    # forever coupon stays forever; a once coupon that ran is spent
    offsets = {line.key: ran for line in lines}
    carried = running_coupon_schedule([RunningCoupon(terms, offsets=offsets)], lines, "USD")
    if terms.duration == "forever" or ran == 0:
        rest = terms
    elif terms.duration == "repeating" and ran < terms.periods:
        rest = replace(terms, periods=terms.periods - ran)
    else:
        zero = {line.key: (D("0.00"),) * len(line.charges) for line in lines}
        assert carried.by_line == zero
        return
    assert carried == coupon_schedule([rest], lines, "USD")


@given(st.tuples(coupons("A"), coupons("B")), lines_strategy,
       st.lists(st.integers(0, 3), min_size=2, max_size=2),
       st.sets(st.sampled_from(["l0", "l1", "l2", "l3"])))
def test_no_charge_goes_below_zero_and_uncovered_lines_keep_theirs(terms, lines, ran, keys):
    running = [RunningCoupon(terms[0], frozenset(keys), {k: ran[0] for k in keys}),
               RunningCoupon(terms[1], offsets={line.key: ran[1] for line in lines})]

    schedule = running_coupon_schedule(running, lines, "USD")

    for line in lines:
        off = schedule.by_line[line.key]
        assert all(D(0) <= o <= c for o, c in zip(off, line.charges, strict=True))
    assert sum(schedule.by_code.values(), D(0)) == sum(
        (sum(v, D(0)) for v in schedule.by_line.values()), D(0))


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 800), st.integers(0, 60))
def test_periods_before_never_goes_back_in_time(counts_from, days, more):
    first = counts_from + timedelta(days=days)
    later = first + timedelta(days=more)
    terms = monthly_terms(first, first + timedelta(days=900))

    assert 0 <= periods_before(terms, counts_from, first) <= periods_before(
        replace(terms, start_on=later), counts_from, later)


@given(st.tuples(coupons("A"), coupons("B")), lines_strategy, st.integers(0, 3))
def test_each_coupons_own_part_adds_up_to_what_comes_off(terms, lines, ran):
    # what the amount-off rule reads of a contract's rows (contracts.services.coupons)
    running = [RunningCoupon(terms[0]), RunningCoupon(terms[1], offsets={
        line.key: ran for line in lines})]

    schedule = running_coupon_schedule(running, lines, "USD")

    for line in lines:
        assert tuple(map(sum, zip(*(own[line.key] for own in schedule.by_coupon),
                                  strict=True))) == schedule.by_line[line.key]
