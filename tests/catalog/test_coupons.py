"""Coupons: who may redeem them and what they take off. Worked examples from Stripe's and
Chargebee's coupon objects, then hypothesis properties; one database test for the admin model."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from catalog.coupons import (
    CouponDiscount,
    CouponDuration,
    CouponLine,
    CouponTerms,
    applies_in_period,
    coupon_discounts,
    coupon_problems,
    left_after_cut,
)
from catalog.models import Coupon
from core.money import allocate

ON = date(2026, 12, 1)


def lines(*amounts, products=None):
    return [CouponLine(f"l{i}", (products or [1] * len(amounts))[i], D(a))
            for i, a in enumerate(amounts)]


# Stripe, the coupon object (https://docs.stripe.com/api/coupons/object): an amount_off "will be
# subtracted from any invoice's subtotal ... a subtotal of 100 will have a final total of 0 if a
# coupon with an amount_off of 200 is applied to it and a subtotal of 300 will have a final total
# of 100".
@pytest.mark.parametrize(("subtotal", "off"), [("100", "100.00"), ("300", "200.00")])
def test_stripe_amount_off_never_takes_more_than_the_subtotal(subtotal, off):
    coupon = CouponTerms("TWOHUNDRED", amount_off=D(200), currency="USD")
    (discount,) = coupon_discounts([coupon], lines(subtotal), "USD")
    assert discount.total == D(off)


# Stripe's duration (once, repeating with duration_in_months, forever) and Chargebee's
# duration_type (one_time, limited_period, forever) (https://app.unpkg.com/chargebee@3.17.0/
# files/types/resources/Coupon.d.ts): the discount stops after its periods.
def test_once_repeating_and_forever():
    once = CouponTerms("ONCE", percent_off=D(25))
    three = CouponTerms("THREE", percent_off=D("25.5"), duration="repeating", periods=3)
    always = CouponTerms("ALWAYS", percent_off=D(5), duration="forever")
    assert [applies_in_period(once, p) for p in range(3)] == [True, False, False]
    assert [applies_in_period(three, p) for p in range(4)] == [True, True, True, False]
    assert all(applies_in_period(always, p) for p in range(100))
    assert coupon_discounts([three], lines("100.00"), "USD", period=3) == [
        CouponDiscount("THREE", {})]
    assert coupon_discounts([three], lines("100.00"), "USD", period=2)[0].total == D("25.50")


def test_an_amount_is_spread_over_the_eligible_lines_by_largest_remainder():
    # given 10.00 off the platform lines only (products 1), two lines of 1 and 2
    coupon = CouponTerms("TEN", amount_off=D(10), currency="USD", product_ids=frozenset({1}))
    items = lines("100.00", "200.00", "50.00", products=[1, 1, 2])
    (discount,) = coupon_discounts([coupon], items, "USD")
    assert discount.by_line == {"l0": D("3.33"), "l1": D("6.67")}


def test_stacked_coupons_apply_in_turn_on_what_is_left():
    first = CouponTerms("HALF", percent_off=D(50))
    second = CouponTerms("MINUS80", amount_off=D(80), currency="EUR")
    half, minus = coupon_discounts([first, second], lines("100.00"), "EUR")
    assert (half.total, minus.total) == (D("50.00"), D("50.00"))  # 80 off the 50 left: 50


def test_every_reason_a_code_cannot_be_redeemed_is_given():
    coupon = CouponTerms("SPRING", amount_off=D(20), currency="USD", max_redemptions=100,
                         valid_from=date(2026, 3, 1), valid_until=date(2026, 5, 31),
                         product_ids=frozenset({7}), stackable=False)
    problems = coupon_problems(coupon, on=ON, currency="EUR", product_ids={1, 2},
                               redemptions=100, others=[CouponTerms("A", percent_off=D(1))])
    assert problems == [
        "SPRING expired on 2026-05-31.",
        "SPRING has been redeemed 100 times, its limit.",
        "SPRING takes off USD, not EUR.",
        "SPRING applies to none of these products.",
        "SPRING cannot be combined with other coupons.",
    ]
    assert coupon_problems(coupon, on=date(2026, 4, 1), currency="USD", product_ids={7},
                           redemptions=99) == []
    early = coupon_problems(coupon, on=date(2026, 2, 28), currency="USD", product_ids={7},
                            redemptions=0)
    assert early == ["SPRING can be redeemed from 2026-03-01."]


def test_a_percentage_coupon_can_be_limited_to_currencies_and_used_once_per_document():
    coupon = CouponTerms("EUROS", percent_off=D(10), currencies=frozenset({"eur", "chf"}))
    assert coupon_problems(coupon, on=ON, currency="chf", product_ids={1}, redemptions=0) == []
    assert coupon_problems(coupon, on=ON, currency="USD", product_ids={1}, redemptions=0) == [
        "EUROS is not offered in USD."]
    assert coupon_problems(coupon, on=ON, currency="EUR", product_ids={1}, redemptions=0,
                           others=[coupon]) == ["EUROS is already applied."]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "a percentage or an amount"),
    ({"percent_off": D(10), "amount_off": D(1), "currency": "USD"}, "one of the two"),
    ({"percent_off": D(101)}, "at most 100"),
    ({"amount_off": D(5)}, "needs its currency"),
    ({"percent_off": D(5), "duration": "repeating"}, "runs for a number of periods"),
    ({"percent_off": D(5), "duration": "once", "periods": 2}, "runs for a number of periods"),
    ({"percent_off": D(5), "valid_from": date(2026, 2, 1), "valid_until": date(2026, 1, 1)},
     "cannot be before"),
])
def test_bad_coupons_are_refused_with_their_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CouponTerms("BAD", **kwargs)


# ---- properties -------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**8).map(lambda c: D(c).scaleb(-2))
coupon_terms = st.one_of(
    st.builds(lambda p: CouponTerms("P", percent_off=p),
              st.decimals(min_value="0.01", max_value=100, places=2)),
    st.builds(lambda a: CouponTerms("A", amount_off=a, currency="USD"),
              st.decimals(min_value="0.01", max_value=10**6, places=2)),
)


@given(st.lists(coupon_terms, min_size=1, max_size=4),
       st.lists(cents, min_size=1, max_size=8))
def test_coupons_never_take_a_line_below_zero_and_amounts_never_exceed_their_face(coupons,
                                                                                  amounts):
    items = lines(*amounts)
    discounts = coupon_discounts(coupons, items, "USD")
    for line in items:
        taken = sum((d.by_line.get(line.key, D(0)) for d in discounts), D(0))
        assert D(0) <= taken <= line.amount
    for coupon, discount in zip(coupons, discounts, strict=True):
        assert all(part >= 0 for part in discount.by_line.values())
        if coupon.amount_off is not None:
            assert discount.total <= coupon.amount_off


@given(st.decimals(min_value="0.01", max_value=10**6, places=2),
       st.lists(cents, min_size=1, max_size=8))
def test_an_amount_off_takes_exactly_its_face_when_the_lines_cover_it(face, amounts):
    coupon = CouponTerms("A", amount_off=face, currency="USD")
    (discount,) = coupon_discounts([coupon], lines(*amounts), "USD")
    assert discount.total == min(face, sum(amounts, D(0)))


# A row cut short (Stripe, "Prorations", docs.stripe.com/billing/subscriptions/prorations: the old
# price keeps the time used, here split by days as `catalog.charge_schedule.end_early` splits a
# row) keeps part of what its amount-off coupons took; the new rows take the rest. Worked
# example (tests/contracts/test_amendment_amount_coupons.py): $4.00 and $2.00 off $127.50, the
# row kept 15 of 31 days keeps $61.69 − $58.79 = $2.90 of them, $1.9333 : $0.9667 by largest
# remainder $1.93 and $0.97, so $2.07 and $1.03 are left (each rounded on its own: $1.94 and
# $0.97, a cent lost).
def test_two_amount_off_coupons_leave_what_the_cut_row_does_not_keep_of_them():
    assert left_after_cut([D(4), D(2)], D("2.90"), "USD") == [D("2.07"), D("1.03")]


def test_a_tie_leaves_the_odd_cent_kept_by_the_earlier_coupon():
    # $0.03 kept of $1.00 and $1.00: $0.015 each, the earlier coupon keeps the odd cent
    assert left_after_cut([D(1), D(1)], D("0.03"), "USD") == [D("0.98"), D("0.99")]


@given(st.decimals(min_value="0.01", max_value=10**5, places=2),
       st.lists(st.decimals(min_value="0.01", max_value=1000, places=2), min_size=1,
                max_size=4),
       st.integers(min_value=28, max_value=31), st.data())
def test_each_coupon_takes_its_amount_exactly_across_a_cut_row_and_the_new_rows(
        gross, faces, days, data):
    kept_days = data.draw(st.integers(min_value=1, max_value=days - 1))
    gross = max(gross, sum(faces))  # the row covers the coupons: each takes its face

    def keep(amount):  # the row's part for the days kept
        return allocate(amount, [kept_days, days - kept_days], "USD")[0]

    coupons = [CouponTerms(f"A{n}", amount_off=face, currency="USD", duration="forever")
               for n, face in enumerate(faces)]
    took = [d.total for d in coupon_discounts(coupons, lines(gross), "USD")]
    assert took == faces
    row = gross - sum(took)
    kept_off = keep(gross) - keep(row)

    left = left_after_cut(took, kept_off, "USD")

    kept = [whole - rest for whole, rest in zip(took, left, strict=True)]
    assert sum(kept) == kept_off  # the kept shares add up to what the row keeps of them
    for face, part, rest in zip(faces, kept, left, strict=True):
        assert part + rest == face  # each coupon's amount once in the period, exactly
        assert D(0) <= rest <= face
    assert kept_off + sum(left) == sum(faces)  # the period takes the coupons' total


# ---- the model --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_admin_model_keeps_codes_in_capitals_and_reports_bad_terms():
    coupon = Coupon(code=" welcome10 ", name="Welcome", percent_off=D(10),
                    duration=CouponDuration.ONCE, currencies="usd, eur")
    coupon.full_clean()
    assert coupon.code == "WELCOME10"
    assert coupon.terms(product_ids=()).currencies == {"USD", "EUR"}
    bad = Coupon(code="X", name="X", amount_off=D(5), duration="repeating", currencies="XYZ")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert error.value.message_dict["currencies"] == ["Unknown currency XYZ."]
    bad.currencies = ""
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "An amount off needs its currency." in error.value.messages
