"""SSP allocation: worked bundles with their numbers, then properties. No database."""

import doctest
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import allocation
from catalog.allocation import AllocatedObligation, Obligation, allocate_transaction_price
from core.money import quantum

BUNDLE = (Obligation("licence", D("1000")), Obligation("support", D("400")),
          Obligation("training", D("100")))


def amounts(result):
    return {a.key: a.amount for a in result}


def test_module_docstring_examples_hold():
    assert doctest.testmod(allocation).failed == 0


def test_a_discounted_bundle_is_allocated_by_relative_ssp():
    # given three obligations worth 1,500 on their own, sold together for 1,200
    result = allocate_transaction_price(D("1200.00"), "usd", BUNDLE)
    # then each takes 80% of its SSP: its share of the SSPs (1,500) of the price shared
    pool = (D("1200.00"), D(1500))
    assert result == (AllocatedObligation("licence", D("1000"), D("800.00"), *pool),
                      AllocatedObligation("support", D("400"), D("320.00"), *pool),
                      AllocatedObligation("training", D("100"), D("80.00"), *pool))
    assert [a.discount for a in result] == [D("200.00"), D("80.00"), D("20.00")]


def test_a_discount_that_belongs_to_two_of_three_leaves_the_third_at_its_ssp():
    result = allocate_transaction_price(D("1200.00"), "USD", BUNDLE,
                                        discount_to=["licence", "support"])
    # 1,100 over 1,000 : 400 = 785.714… and 314.285…: the odd cent to the larger remainder
    assert [(a.pool, a.pool_ssp) for a in result] == [
        (D("1100.00"), D(1400)), (D("1100.00"), D(1400)), (D("100.00"), D("100.00"))]
    assert amounts(result) == {"licence": D("785.71"), "support": D("314.29"),
                               "training": D("100.00")}


def test_odd_minor_units_go_to_the_largest_remainders_ties_to_the_earlier():
    three_equal = [Obligation(k, D(1)) for k in "abc"]
    assert [a.amount for a in allocate_transaction_price(D("100.00"), "USD", three_equal)] == [
        D("33.34"), D("33.33"), D("33.33")]
    assert [a.amount for a in allocate_transaction_price(D("100"), "JPY", three_equal)] == [
        D("34"), D("33"), D("33")]


def test_a_premium_above_the_ssps_is_spread_alike():
    result = allocate_transaction_price(D("1800.00"), "USD", BUNDLE)
    assert amounts(result) == {"licence": D("1200.00"), "support": D("480.00"),
                               "training": D("120.00")}
    assert result[0].discount == D("-200.00")


def test_ssps_with_more_places_than_the_currency_are_rounded_only_when_kept_whole():
    obligations = [Obligation("a", D("10.005")), Obligation("b", D("20.004"))]
    result = allocate_transaction_price(D("25.00"), "USD", obligations, discount_to="b")
    assert amounts(result) == {"a": D("10.01"), "b": D("14.99")}


def test_zero_ssps_split_evenly():
    result = allocate_transaction_price(D("10.00"), "USD", [Obligation("a", D(0)),
                                                           Obligation("b", D(0))])
    assert amounts(result) == {"a": D("5.00"), "b": D("5.00")}


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((D("10.00"), "USD", []), {}, "at least one performance obligation"),
    ((D("10.00"), "USD", [Obligation("a", D(1)), Obligation("a", D(2))]), {}, "unique"),
    ((D("10.00"), "USD", [Obligation("a", D(-1))]), {}, "cannot be negative"),
    ((D("-10.00"), "USD", BUNDLE), {}, "transaction price cannot be negative"),
    ((D("10.001"), "USD", BUNDLE), {}, "not rounded to USD"),
    ((D("10.00"), "USD", BUNDLE), {"discount_to": ["hosting"]}, "unknown obligations: hosting"),
    ((D("10.00"), "USD", BUNDLE), {"discount_to": []}, "needs at least one obligation"),
    ((D("1000.00"), "USD", BUNDLE), {"discount_to": ["training"]},
     r"discount is larger than .* \(training\)"),
])
def test_bad_input_is_refused_with_its_reason(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        allocate_transaction_price(*args, **kwargs)


# ---- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(["USD", "JPY", "KWD"])
ssps = st.decimals(min_value=D(0), max_value=D("1000000"), places=4)


@st.composite
def contracts(draw):
    currency = draw(currencies)
    obligation_ssps = draw(st.lists(ssps, min_size=1, max_size=10))
    obligations = [Obligation(f"po{i}", s) for i, s in enumerate(obligation_ssps)]
    units = draw(st.integers(min_value=0, max_value=10**9))
    price = (D(units) * quantum(currency)).quantize(quantum(currency))
    return currency, price, obligations


@given(contracts())
def test_parts_add_up_exactly_and_stay_within_a_unit_of_the_exact_share(contract):
    currency, price, obligations = contract
    result = allocate_transaction_price(price, currency, obligations)
    assert sum(a.amount for a in result) == price
    total_ssp = sum(o.ssp for o in obligations)
    for obligation, part in zip(obligations, result, strict=True):
        assert part.key == obligation.key
        exact = price * obligation.ssp / total_ssp if total_ssp else price / len(obligations)
        assert abs(part.amount - exact) < quantum(currency)
        assert part.amount == part.amount.quantize(quantum(currency))


@given(contracts(), st.data())
def test_a_subset_discount_keeps_the_others_at_their_ssp(contract, data):
    currency, _, obligations = contract
    keys = [o.key for o in obligations]
    subset = data.draw(st.sets(st.sampled_from(keys), min_size=1))
    others = sum((o.ssp.quantize(quantum(currency), rounding="ROUND_HALF_UP")
                  for o in obligations if o.key not in subset), D(0))
    subset_ssp = sum(o.ssp for o in obligations if o.key in subset)
    discount = data.draw(st.decimals(min_value=0, max_value=subset_ssp, places=0))
    price = (others + subset_ssp - discount).quantize(quantum(currency), rounding="ROUND_FLOOR")
    result = allocate_transaction_price(max(price, others), currency, obligations,
                                        discount_to=subset)
    assert sum(a.amount for a in result) == max(price, others)
    for part in result:
        if part.key not in subset:
            assert part.amount == part.ssp.quantize(quantum(currency), rounding="ROUND_HALF_UP")
        assert part.amount >= 0
