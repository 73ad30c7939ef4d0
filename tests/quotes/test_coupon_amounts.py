"""What coupons take off each charge of a schedule (`quotes.coupon_amounts`): the durations as
Stripe and Chargebee define them, worked through their documented examples, and the properties
that make the quote and the contract agree (no charge below zero, the parts add up)."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from catalog.charge_schedule import LineTerms, charge_schedule
from catalog.coupons import CouponTerms
from quotes.coupon_amounts import ScheduledLine, coupon_schedule, less_coupons


def monthly(key: str, amount: str, months: int = 12, product_id: int = 1) -> ScheduledLine:
    return ScheduledLine(key, product_id, (D(amount),) * months)


def test_stripe_repeating_coupon_discounts_its_first_periods_only():
    # Stripe coupons, duration "repeating" with duration_in_months: "20% off for 3 months" on
    # a $100 monthly price bills $80, $80, $80, then $100
    # (https://docs.stripe.com/billing/subscriptions/coupons#coupon-duration)
    coupon = CouponTerms("SPRING", percent_off=D(20), duration="repeating", periods=3)

    schedule = coupon_schedule([coupon], [monthly("seats", "100.00")], "USD")

    assert schedule.by_line["seats"] == (D("20.00"),) * 3 + (D("0.00"),) * 9
    assert schedule.by_code == {"SPRING": D("60.00")}


def test_chargebee_one_time_coupon_takes_its_amount_off_the_first_invoice_only():
    # Chargebee coupons, duration_type "one_time": the discount applies to the first invoice
    # only; an amount off is spread over what it discounts
    # (https://www.chargebee.com/docs/2.0/coupons.html#duration): $100 off a first invoice of
    # a $255 subscription and a $5,000 setup fee, by largest remainder
    coupon = CouponTerms("WELCOME", amount_off=D(100), currency="USD", duration="once")
    lines = [monthly("seats", "255.00"), ScheduledLine("setup", 2, (D("5000.00"),))]

    schedule = coupon_schedule([coupon], lines, "USD")

    assert schedule.by_line["seats"] == (D("4.85"),) + (D("0.00"),) * 11
    assert schedule.by_line["setup"] == (D("95.15"),)
    assert schedule.by_code["WELCOME"] == D("100.00")


def test_forever_coupon_of_some_products_discounts_every_period_of_those_only():
    # Stripe "forever" with applies_to.products; Chargebee "forever" with plan constraints
    coupon = CouponTerms("LOYAL", percent_off=D(10), duration="forever",
                         product_ids=frozenset({1}))
    lines = [monthly("seats", "255.00", 24), monthly("support", "99.00", 24, product_id=3)]

    schedule = coupon_schedule([coupon], lines, "USD")

    assert set(schedule.by_line["seats"]) == {D("25.50")}
    assert set(schedule.by_line["support"]) == {D("0.00")}
    assert schedule.line_total("seats") == D("612.00")


def test_a_prorated_first_period_is_the_once_coupons_period():
    # the schedule's first charge is a part period (13 to 31 January of $100: $61.29); a
    # once coupon of 50% takes half of that charge, rounded half up, and nothing after
    charges = charge_schedule(LineTerms("USD", "monthly", D("100.00"), date(2026, 1, 13),
                                        date(2026, 3, 31)))
    coupon = CouponTerms("HALF", percent_off=D(50))

    charged = less_coupons([coupon], [("seats", 1, charges)], "USD")["seats"]

    assert [c.amount for c in charged] == [D("30.64"), D("100.00"), D("100.00")]
    assert charged[0].explanation.endswith("; coupons −$30.65")


def test_no_coupon_leaves_the_charges_as_they_are():
    charges = charge_schedule(LineTerms("USD", "monthly", D("100.00"), date(2026, 1, 1),
                                        date(2026, 3, 31)))
    assert less_coupons([], [("a", 1, charges)], "USD") == {"a": charges}


amounts = st.decimals(min_value=D(0), max_value=D(100_000), places=2)
durations = st.sampled_from([("once", None), ("repeating", 3), ("forever", None)])


@st.composite
def coupons(draw):
    duration, periods = draw(durations)
    if draw(st.booleans()):
        return CouponTerms("P", percent_off=draw(st.decimals(min_value=D("0.01"),
                                                             max_value=D(100), places=2)),
                           duration=duration, periods=periods)
    return CouponTerms("A", amount_off=draw(st.decimals(min_value=D("0.01"),
                                                        max_value=D(100_000), places=2)),
                       currency="USD", duration=duration, periods=periods)


@given(coupons(), st.lists(st.lists(amounts, min_size=1, max_size=14), min_size=1, max_size=5))
def test_no_charge_goes_below_zero_and_the_parts_add_up(coupon, charges):
    lines = [ScheduledLine(str(n), n, tuple(amounts)) for n, amounts in enumerate(charges)]

    schedule = coupon_schedule([coupon], lines, "USD")

    for line in lines:
        off = schedule.by_line[line.key]
        assert len(off) == len(line.charges)
        assert all(D(0) <= part <= charge for part, charge in zip(off, line.charges,
                                                                   strict=True))
    assert schedule.by_code[coupon.code] == sum(
        (schedule.line_total(line.key) for line in lines), D(0))
