"""Material rights, pure (no database): the option's SSP is the incremental discount × the
likelihood of exercise (IFRS 15.B42); its share of the goods' price by relative SSP (15.74) and
the goods' reductions add up exactly; what it earns to date grows with the rights exercised,
never passes its allocation, and reaches it on expiry or when the rights exercised reach the
estimate (B46), whatever the re-estimates between. Worked examples: IFRS 15 IE Example 49
(IE250-IE253) and IE Example 52 (IE267-IE270, in the module's doctest).
"""

import doctest
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import quantum, round_money
from revrec import rights

CURRENCIES = ["USD", "JPY", "KWD"]


def test_the_module_examples_hold():
    # IFRS 15 IE Example 52 (IE267-IE270): 8,676 carved out of CU100,000 for 9,500 points
    # expected; 4,110 earned in year 1, 3,493 in year 2 after the estimate moves to 9,700.
    assert doctest.testmod(rights).failed == 0


def test_ie49_the_voucher_is_worth_its_incremental_discount_times_its_likelihood():
    # IFRS 15 IE Example 49 (IE250-IE253): product A sold for CU100 with a 40% voucher on up to
    # CU100 of purchases in 30 days; 10% is offered to everyone anyway, so 30% is incremental;
    # the customer is expected to buy CU50 more, with an 80% likelihood: SSP 50 × 30% × 80% =
    # CU12; CU100 allocated 100/112 to A (89.29) and 12/112 to the voucher (10.71).
    ssp = rights.option_ssp(D(50), D("0.4") - D("0.1"), D("0.8"), "USD")
    voucher = rights.carve_out(D("100.00"), D("100.00"), ssp, "USD")

    assert (ssp, voucher) == (D("12.00"), D("10.71"))
    assert rights.reduce_goods([D("100.00")], voucher, "USD") == [D("89.29")]
    # one voucher expected 0.8 times: used once, it has earned all of it
    assert rights.recognized_to_date(voucher, "USD", expected=D("0.8"),
                                     redeemed=D(1)) == voucher
    assert rights.recognized_to_date(voucher, "USD", expected=D("0.8"), redeemed=D(0),
                                     expired=True) == voucher


@pytest.mark.parametrize(("value", "rate", "likelihood", "message"), [
    (D(-1), D("0.3"), D("0.8"), "cannot be below 0"),
    (D(50), D(0), D("0.8"), "incremental discount"),
    (D(50), D("1.1"), D("0.8"), "incremental discount"),
    (D(50), D("0.3"), D(0), "likelihood"),
])
def test_an_option_out_of_bounds_is_refused(value, rate, likelihood, message):
    with pytest.raises(ValueError, match=message):
        rights.option_ssp(value, rate, likelihood, "USD")


fractions = st.integers(1, 100).map(lambda n: D(n) / 100)


@given(st.sampled_from(CURRENCIES), st.integers(0, 10**7), fractions, fractions)
def test_the_ssp_is_the_discount_weighed_by_likelihood(currency, value, rate, likelihood):
    ssp = rights.option_ssp(D(value), rate, likelihood, currency)
    exact = D(value) * rate * likelihood
    assert abs(ssp - exact) <= quantum(currency) / 2
    assert D(0) <= ssp <= D(value)


@given(st.sampled_from(CURRENCIES),
       st.lists(st.integers(0, 10**6), min_size=1, max_size=6).filter(any),
       st.integers(1, 10**6), st.integers(1, 10**6))
def test_the_carve_out_and_the_reductions_add_up_exactly(currency, minors, goods_ssp,
                                                         right_ssp):
    unit = quantum(currency)
    allocated = [n * unit for n in minors]
    price = sum(allocated, D(0))
    share = rights.carve_out(price, D(goods_ssp), D(right_ssp), currency)
    after = rights.reduce_goods(allocated, share, currency)

    exact = price * right_ssp / (goods_ssp + right_ssp)
    assert abs(share - exact) <= unit
    assert sum(after, D(0)) + share == price
    assert all(D(0) <= a <= b for a, b in zip(after, allocated, strict=True))


@st.composite
def exercise(draw, currency):
    """A right's allocation and a history of (exercised, expected) as the events move them."""
    allocated = draw(st.integers(0, 10**7)) * quantum(currency)
    units = draw(st.integers(1, 10**5))
    expected = draw(st.integers(0, units))
    history, redeemed = [], 0
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            redeemed = draw(st.integers(redeemed, units))
        expected = draw(st.integers(redeemed, units))
        history.append((D(redeemed), D(expected)))
    return allocated, history


@given(st.sampled_from(CURRENCIES).flatmap(lambda c: st.tuples(st.just(c), exercise(c))))
def test_what_is_earned_is_cumulative_and_bounded_and_all_of_it_on_expiry(case):
    currency, (allocated, history) = case
    for redeemed, expected in history:
        earned = rights.recognized_to_date(allocated, currency, expected=expected,
                                           redeemed=redeemed)
        assert D(0) <= earned <= allocated
        if redeemed and redeemed >= expected:
            assert earned == allocated
        elif expected:
            assert earned == round_money(allocated * redeemed / expected, currency)
        more = rights.recognized_to_date(allocated, currency, expected=expected,
                                         redeemed=min(redeemed + 1, expected))
        assert more >= earned  # more exercised never earns less
    last_redeemed, last_expected = history[-1]
    assert rights.recognized_to_date(allocated, currency, expected=last_expected,
                                     redeemed=last_redeemed, expired=True) == allocated
