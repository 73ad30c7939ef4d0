"""Rights of return, pure (no database): the units expected back are the expected value or the
most likely amount of the scenarios (IFRS 15.B23, 15.53); revenue and the refund liability add
up exactly to the price (B21(a)-(b)), the refund is the price of the units expected back to the
minor unit, and the asset is their cost (B21(c), B25); more units expected back never means more
revenue. Worked example: IFRS 15 IE Example 22 (IE110-IE115), in the module's doctest.
"""

import doctest
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import quantum
from revrec import returns
from revrec.variable import Scenario

CURRENCIES = ["USD", "JPY", "KWD"]


def test_the_module_examples_hold():
    # IFRS 15 IE Example 22 (IE110-IE115): 100 products at CU100, 97 expected to be kept:
    # revenue 9,700, refund liability 300, asset for the products to recover 3 × 60 = 180.
    assert doctest.testmod(returns).failed == 0


def test_ie22_the_expected_value_of_returned_units_is_not_rounded_to_whole_units():
    # IE110: the entity uses the expected value method (15.53(a)) for a large number of
    # contracts with similar characteristics
    scenarios = [Scenario(D(2), D("0.3")), Scenario(D(3), D("0.4")), Scenario(D(5), D("0.3"))]
    assert returns.expected_returns("expected_value", scenarios) == D("3.3")
    position = returns.return_position(D("10000.00"), "USD", units_sold=D(100),
                                       units_returned=D("3.3"), unit_cost=D(60))
    assert position == returns.ReturnPosition(D("9670.00"), D("330.00"), D("198.00"))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"units_sold": D(0)}, "sell at least one unit"),
    ({"units_returned": D(101)}, "between 0 and the 100 units sold"),
    ({"unit_cost": D(-1)}, "unit cost cannot be below 0"),
])
def test_impossible_positions_are_refused(kwargs, message):
    given_ = {"units_sold": D(100), "units_returned": D(3), "unit_cost": D(60), **kwargs}
    with pytest.raises(ValueError, match=message):
        returns.return_position(D(10000), "USD", **given_)


def test_negative_returns_are_refused():
    with pytest.raises(ValueError, match="below 0"):
        returns.expected_returns("most_likely", [Scenario(D(-1), D(1))])


@given(st.sampled_from(CURRENCIES), st.integers(0, 10**9), st.integers(1, 10**4), st.data())
def test_revenue_and_refund_add_up_and_more_returns_mean_less_revenue(currency, minors, sold,
                                                                      data):
    gross = minors * quantum(currency)
    fewer, more = sorted(data.draw(st.lists(st.integers(0, sold), min_size=2, max_size=2)))
    cost = D(data.draw(st.integers(0, 10**6))) * quantum(currency)
    low = returns.return_position(gross, currency, units_sold=D(sold),
                                  units_returned=D(fewer), unit_cost=cost)
    high = returns.return_position(gross, currency, units_sold=D(sold),
                                   units_returned=D(more), unit_cost=cost)

    for position, back in ((low, fewer), (high, more)):
        assert position.revenue + position.refund == gross
        assert abs(position.refund - gross * back / sold) <= quantum(currency) / 2
        assert position.asset == cost * back
    assert high.revenue <= low.revenue and high.asset >= low.asset
    all_back = returns.return_position(gross, currency, units_sold=D(sold),
                                       units_returned=D(sold), unit_cost=cost)
    assert (all_back.revenue, all_back.refund) == (D(0) * gross, gross)


@given(st.sampled_from(CURRENCIES), st.integers(0, 10**9), st.data())
def test_returns_settle_the_whole_amount_once_every_unit_expected_is_back(currency, minors,
                                                                         data):
    # IFRS 15.B25: the liability (or asset) for the units expected back is settled as they
    # come back, in any pieces; the pieces add up to it exactly and never pass it
    total = minors * quantum(currency)
    pieces = data.draw(st.lists(st.integers(1, 50), min_size=1, max_size=6))
    expected = D(sum(pieces)) / 4  # quarter units, as stored units may be fractions
    before, parts = D(0), []
    for piece in pieces:
        parts.append(returns.settled_part(total, currency, expected=expected,
                                          returned_before=before, quantity=D(piece) / 4))
        before += D(piece) / 4
        assert 0 <= sum(parts) <= total
    assert sum(parts) == total


def test_more_units_back_than_expected_are_refused():
    # IE Example 22's 3 expected back: a fourth needs a new estimate (B24)
    with pytest.raises(ValueError, match="only 1 of the units expected back remain"):
        returns.settled_part(D(300), "JPY", expected=D(3), returned_before=D(2),
                             quantity=D(2))
    with pytest.raises(ValueError, match="at least part of a unit"):
        returns.settled_part(D(300), "JPY", expected=D(3), returned_before=D(0),
                             quantity=D(0))
