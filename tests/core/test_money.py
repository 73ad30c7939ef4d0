from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    UnknownCurrency,
    allocate,
    currency_symbol,
    minor_units,
    quantum,
    round_money,
    to_minor,
)

CURRENCIES = ["USD", "JPY", "KWD", "EUR"]


@pytest.mark.parametrize(("currency", "places"), [("USD", 2), ("JPY", 0), ("KWD", 3), ("eur", 2)])
def test_minor_units_follow_iso_4217(currency, places):
    assert minor_units(currency) == places
    assert quantum(currency) == Decimal(1).scaleb(-places)


@pytest.mark.parametrize("code", ["ZZZ", "US", "", "EURO"])
def test_an_unknown_currency_is_refused_not_given_two_places(code):
    # issue 22: "unknown currency codes refused instead of assumed to have 2 decimals"
    with pytest.raises(UnknownCurrency, match="is not an ISO 4217 currency code"):
        minor_units(code)
    with pytest.raises(UnknownCurrency):
        round_money(Decimal("1.005"), code)


@pytest.mark.parametrize(("currency", "places"), [("BHD", 3), ("CLF", 4), ("ISK", 0),
                                                  ("CLP", 0), ("INR", 2)])
def test_the_minor_units_come_from_iso_4217_through_py_moneyed(currency, places):
    assert minor_units(currency) == places


@pytest.mark.parametrize(("currency", "symbol"), [
    ("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("JPY", "¥"), ("CAD", "CA$"), ("AUD", "A$"),
    ("INR", "₹"), ("CHF", ""), ("KWD", ""),
])
def test_symbols_are_cldrs_for_english_readers_and_none_where_only_the_code_is_used(currency,
                                                                                     symbol):
    assert currency_symbol(currency) == symbol


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("2.345", "USD", "2.35"), ("-2.345", "USD", "-2.35"), ("1234.5", "JPY", "1235"),
     ("1.23456", "KWD", "1.235"), ("0.005", "EUR", "0.01")],
)
def test_round_money_rounds_half_up_to_the_currency(amount, currency, expected):
    assert round_money(Decimal(amount), currency) == Decimal(expected)


def test_round_money_takes_another_rounding_mode():
    assert round_money(Decimal("2.345"), "USD", rounding=ROUND_HALF_EVEN) == Decimal("2.34")


def test_allocate_worked_examples():
    assert allocate(Decimal("100.00"), [1, 1, 1], "USD") == [
        Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert allocate(Decimal("10"), [1, 2], "JPY") == [Decimal("3"), Decimal("7")]
    assert allocate(Decimal("-0.05"), [1, 1], "USD") == [Decimal("-0.03"), Decimal("-0.02")]
    assert allocate(Decimal("1.000"), [0, 0], "KWD") == [Decimal("0.500"), Decimal("0.500")]
    assert allocate(Decimal("0"), [3, 1], "USD") == [Decimal("0.00"), Decimal("0.00")]


def test_allocate_ties_go_to_the_earlier_part():
    assert allocate(Decimal("0.01"), [1, 1, 1], "USD") == [
        Decimal("0.01"), Decimal("0.00"), Decimal("0.00")]


def test_allocate_refuses_negative_weights_and_no_weights():
    with pytest.raises(ValueError, match="weights must not be negative"):
        allocate(Decimal("1"), [1, -1], "USD")
    with pytest.raises(ValueError, match="at least one weight"):
        allocate(Decimal("1"), [], "USD")


def test_to_minor_refuses_unrounded_amounts():
    with pytest.raises(ValueError, match="not rounded"):
        to_minor(Decimal("1.005"), "USD")


totals = st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=25)


@given(total=totals, weights=weight_lists, currency=st.sampled_from(CURRENCIES))
def test_allocated_parts_sum_exactly_to_the_rounded_total(total, weights, currency):
    parts = allocate(total, weights, currency)
    assert sum(parts) == round_money(total, currency)
    assert len(parts) == len(weights)


@given(total=totals, weights=weight_lists, currency=st.sampled_from(CURRENCIES))
def test_each_part_is_within_one_minor_unit_of_its_exact_share(total, weights, currency):
    rounded = round_money(total, currency)
    effective = weights if sum(weights) else [1] * len(weights)
    for part, weight in zip(allocate(total, weights, currency), effective, strict=True):
        exact = rounded * Decimal(weight) / Decimal(sum(effective))
        assert abs(part - exact) < quantum(currency)
        assert part == round_money(part, currency)


@given(total=totals, weights=weight_lists, currency=st.sampled_from(CURRENCIES))
def test_allocate_is_deterministic_and_mirrors_negative_totals(total, weights, currency):
    assert allocate(total, weights, currency) == allocate(total, weights, currency)
    assert allocate(-total, weights, currency) == [-p for p in allocate(total, weights, currency)]
