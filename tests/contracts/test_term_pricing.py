"""The rest-of-term maths behind amendments and terminations: worked examples with literal
dates, and properties (the pieces of a period add up to its full price, leap years included)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.proration import convention_from_setting
from contracts.term_pricing import rest_of_term, split_period
from contracts.uplift import uplifted_snapshot

D = Decimal
CONVENTIONS = [convention_from_setting(v) for v in
               ("actual", "actual+last_day", "30/360", "30/360+last_day")]


def test_a_january_split_on_the_13th():
    split = split_period(D("100.00"), "USD", period_start=date(2026, 1, 1),
                         period_end=date(2026, 1, 31), at=date(2026, 1, 13))

    assert (split.before.days, split.after.days, split.before.period_days) == (12, 19, 31)
    assert (split.before.amount, split.after.amount) == (D("38.71"), D("61.29"))
    assert split.after.explanation == "19 of 31 days × $100.00 = $61.29"


def test_february_of_a_leap_year_has_29_days():
    split = split_period(D("29.00"), "USD", period_start=date(2028, 2, 1),
                         period_end=date(2028, 2, 29), at=date(2028, 2, 29))

    assert (split.after.days, split.after.period_days, split.after.amount) == (
        1, 29, D("1.00"))


def test_a_leap_year_annual_period_counts_366_days():
    split = split_period(D("366.00"), "USD", period_start=date(2028, 1, 1),
                         period_end=date(2028, 12, 31), at=date(2028, 3, 1))

    assert (split.before.days, split.before.period_days, split.before.amount) == (
        60, 366, D("60.00"))


def test_30_360_counts_every_month_as_30_days():
    split = split_period(D("100.00"), "USD", period_start=date(2026, 2, 1),
                         period_end=date(2026, 2, 28), at=date(2026, 2, 16),
                         convention=convention_from_setting("30/360"))

    assert (split.after.days, split.after.period_days) == (15, 30)
    assert split.after.explanation == "15 of 30 days (30/360) × $100.00 = $50.00"


def test_the_rest_of_a_monthly_term_is_the_partial_month_plus_whole_months():
    rest = rest_of_term(D("127.50"), "USD", period_months=1, anchor=date(2026, 12, 1),
                        term_end=date(2027, 11, 30), effective_on=date(2027, 3, 15))

    assert (rest.whole_periods, rest.amount) == (8, D("1089.92"))
    assert rest.explanation == (
        "17 of 31 days × $127.50 = $69.92 + 8 periods × $127.50 = $1,089.92")


def test_an_effective_date_on_a_period_start_has_no_partial_piece():
    rest = rest_of_term(D("100"), "USD", period_months=3, anchor=date(2026, 1, 1),
                        term_end=date(2026, 12, 31), effective_on=date(2026, 7, 1))

    assert (rest.pieces, rest.whole_periods, rest.amount) == ((), 2, D("200.00"))
    assert rest.explanation == "2 periods × $100.00 = $200.00"


def test_yen_has_no_minor_unit():
    split = split_period(D("1000"), "JPY", period_start=date(2026, 1, 1),
                         period_end=date(2026, 1, 31), at=date(2026, 1, 13))

    assert (split.before.amount, split.after.amount) == (D("387"), D("613"))


def test_a_day_outside_the_period_is_refused():
    with pytest.raises(ValueError, match="outside the period"):
        split_period(D("1"), "USD", period_start=date(2026, 1, 1),
                     period_end=date(2026, 1, 31), at=date(2026, 2, 2))


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
amounts = st.decimals(min_value=D("0"), max_value=D("1000000"), places=2)


@given(start=days, length=st.integers(min_value=0, max_value=400), cut=st.integers(0, 400),
       amount=amounts, convention=st.sampled_from(CONVENTIONS),
       currency=st.sampled_from(["USD", "JPY", "KWD"]))
def test_the_pieces_of_a_period_add_up_to_its_full_price(start, length, cut, amount,
                                                        convention, currency):
    end = start + timedelta(days=length)
    at = start + timedelta(days=min(cut, length + 1))

    split = split_period(amount, currency, period_start=start, period_end=end, at=at,
                         convention=convention)

    from core.money import round_money
    assert split.before.amount + split.after.amount == round_money(amount, currency)
    assert split.before.amount >= 0 and split.after.amount >= 0
    assert split.before.days + split.after.days == split.before.period_days


@given(anchor=days, months=st.integers(min_value=1, max_value=36),
       period=st.sampled_from([1, 3, 12]), amount=amounts)
def test_the_rest_of_term_from_the_start_is_every_period_in_full(anchor, months, period,
                                                                amount):
    from core.dates import add_months

    months = max(period, months - months % period)
    end = add_months(anchor, months) - timedelta(days=1)

    rest = rest_of_term(amount, "USD", period_months=period, anchor=anchor, term_end=end,
                        effective_on=anchor)

    assert rest.amount == amount * (months // period)


@given(anchor=days, offset=st.integers(min_value=0, max_value=364), amount=amounts)
def test_before_and_from_the_effective_day_make_the_whole_term(anchor, offset, amount):
    from core.dates import add_months

    end = add_months(anchor, 12) - timedelta(days=1)
    effective = anchor + timedelta(days=offset)
    whole = rest_of_term(amount, "USD", period_months=1, anchor=anchor, term_end=end,
                         effective_on=anchor).amount

    rest = rest_of_term(amount, "USD", period_months=1, anchor=anchor, term_end=end,
                        effective_on=effective)

    assert 0 <= rest.amount <= whole


def test_uplift_raises_every_amount_of_a_tiered_price():
    snapshot = {"model": "graduated", "currency": "USD", "billing_period": "monthly",
                "tiers": [{"up_to": "1000", "unit_amount": "0.01"},
                          {"up_to": None, "unit_amount": "0.0045", "flat_amount": "2"}],
                "minimum_amount": "10"}

    raised = uplifted_snapshot(snapshot, D("10"))

    assert [(t["unit_amount"], t.get("flat_amount", "0")) for t in raised["tiers"]] == [
        ("0.011", "0"), ("0.00495", "2.2")]
    assert raised["minimum_amount"] == "11"
    assert raised["source"] == {"uplift_percent": "10"}
