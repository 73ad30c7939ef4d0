"""Usage rating on the frozen price model: worked examples, then properties."""

import doctest
from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from billing import rating
from billing.rating import rate_usage, usage_in_period
from catalog.pricing import PriceModel, PriceSpec, Tier
from catalog.transaction_fees import TransactionTerms
from core.money import round_money

GRADUATED = PriceSpec(model=PriceModel.GRADUATED, currency="USD", billing_period="monthly",
                      tiers=(Tier(D(1000), D("0.010")), Tier(None, D("0.005"))))


def test_module_docstring_examples_hold():
    assert doctest.testmod(rating).failed == 0


def test_graduated_tiers_restart_each_period():
    assert rate_usage(GRADUATED, D(1000)).amount == D("10.00")
    assert rate_usage(GRADUATED, D(2000)).amount == D("15.00")


def test_no_usage_costs_nothing():
    rated = rate_usage(GRADUATED, D(0))
    assert (rated.amount, rated.unit_price) == (D("0.00"), D(0))


def test_usage_in_period_counts_both_ends():
    daily = [(date(2026, 1, 31), D(1)), (date(2026, 2, 1), D(2)), (date(2026, 2, 28), D(3)),
             (date(2026, 3, 1), D(4))]
    assert usage_in_period(daily, date(2026, 2, 1), date(2026, 2, 28)) == D(5)


@given(q1=st.decimals(min_value=0, max_value=10**6, places=3),
       q2=st.decimals(min_value=0, max_value=10**6, places=3))
def test_more_usage_never_costs_less(q1, q2):
    low, high = sorted((q1, q2))
    assert rate_usage(GRADUATED, low).amount <= rate_usage(GRADUATED, high).amount


@given(q=st.decimals(min_value=0, max_value=10**6, places=3),
       discount=st.decimals(min_value=0, max_value=100, places=2))
def test_rated_amount_is_rounded_and_the_discount_never_exceeds_the_list(q, discount):
    rated = rate_usage(GRADUATED, q, discount_percent=discount)
    assert rated.amount == round_money(rated.amount, "USD")
    assert D(0) <= rated.amount <= rated.list_amount
    assert rated.list_amount - rated.discount == rated.amount


# Lago, spending minimum (https://getlago.com/docs/guide/plans/charges/spending-minimum): usage
# priced below the commitment is topped up by a true-up fee shown as its own line.
def test_a_period_below_its_minimum_is_topped_up_and_the_top_up_is_named():
    mtu = PriceSpec(model=PriceModel.PER_UNIT, currency="USD", billing_period="monthly",
                    unit_amount=D("0.010"), minimum_amount=D(100), included_units=D(1000))
    rated = rate_usage(mtu, D(6000))
    assert (rated.amount, rated.shortfall) == (D("100.00"), D("50.00"))
    assert "1000 included" in rated.explanation
    assert "minimum top-up $50.00" in rated.explanation
    assert rate_usage(mtu, D(20000)).shortfall == D("0.00")


def test_a_capped_period_says_what_the_cap_took_off():
    calls = PriceSpec(model=PriceModel.PER_UNIT, currency="USD", billing_period="monthly",
                      unit_amount=D("0.01"), maximum_amount=D(500))
    rated = rate_usage(calls, D(80000))
    assert rated.amount == D("500.00")
    assert rated.explanation.endswith("capped at $500.00 (−$300.00) = $500.00")


def test_transaction_usage_is_rated_from_the_periods_transactions():
    cards = PriceSpec(model=PriceModel.TRANSACTION, currency="USD", billing_period="monthly",
                      percent=D("2.9"), transaction=TransactionTerms(fixed_fee=D("0.30")))
    rated = rate_usage(cards, D(150), transactions=[D(100), D(50)])
    assert rated.amount == D("4.95")  # 3.20 + 1.75 (Stripe's 2.9% + 0.30 per card payment)
