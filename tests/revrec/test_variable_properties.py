"""Properties of variable consideration, pure (no database): the expected value is Σ amount ×
probability (IFRS 15.53(a)), rounded to the currency; the probabilities must add up to 1; the
amount included never exceeds the estimate (15.56); and a change of estimate caught up in the
first open month (15.88) leaves the revenue recognized to date equal to what the new price
earns for the service delivered to date, months recognized unchanged, the whole schedule adding
up to the new price. The worked example is IFRS 15 IE Example 24 (IE124-IE128): a retrospective
volume discount re-estimated in the second quarter, the difference recognized at once.

A later change of the price (15.87-90) is allocated on the basis of inception and passed down
chains of obligations a modification ended: the shares add up exactly to the change, and a
change with no modification is the relative-SSP split of it (IE Example 6, in the doctest).
"""

import doctest
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from catalog import revenue_schedule as schedules
from core.dates import add_months
from core.money import allocate, quantum, round_money
from revrec import variable
from revrec.variable import Scenario

CURRENCIES = ["USD", "JPY", "KWD"]


def test_the_module_examples_hold():
    assert doctest.testmod(variable).failed == 0


@st.composite
def scenario_sets(draw, currency):
    """1-6 scenarios whose probabilities (in hundredths) add up to exactly 1."""
    count = draw(st.integers(1, 6))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=count - 1, max_size=count - 1,
                                unique=True)))
    bounds = [0, *cuts, 100]
    minor = quantum(currency)
    return tuple(Scenario(draw(st.integers(-10**7, 10**7)) * minor, D(b - a) / 100)
                 for a, b in zip(bounds, bounds[1:], strict=False))


@given(st.sampled_from(CURRENCIES).flatmap(lambda c: st.tuples(st.just(c), scenario_sets(c))))
def test_the_expected_value_is_the_probability_weighted_sum(case):
    currency, scenarios = case
    value = variable.expected_value(scenarios, currency)

    exact = sum((s.amount * s.probability for s in scenarios), D(0))
    assert value == round_money(exact, currency)
    assert abs(value - exact) <= quantum(currency) / 2
    assert min(s.amount for s in scenarios) <= value <= max(s.amount for s in scenarios)
    likely = variable.most_likely_amount(scenarios)
    top = max(s.probability for s in scenarios)
    assert any(s.amount == likely and s.probability == top for s in scenarios)


@given(st.lists(st.integers(1, 100), min_size=1, max_size=6))
def test_probabilities_must_add_up_to_one(hundredths):
    scenarios = [Scenario(D(100), D(h) / 100) for h in hundredths]
    if sum(hundredths) == 100:
        assert variable.expected_value(scenarios, "USD") == D("100.00")
    else:
        with pytest.raises(ValueError, match="add up to"):
            variable.expected_value(scenarios, "USD")


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6))
def test_the_amount_included_is_never_above_the_estimate(estimate, constrained):
    estimate, constrained = D(estimate) / 100, D(constrained) / 100
    allowed = constrained <= estimate and (constrained >= 0 or estimate < 0)
    if allowed:
        variable.check_constrained(constrained, estimate)
    else:
        with pytest.raises(ValueError):
            variable.check_constrained(constrained, estimate)


@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)), st.integers(2, 36),
       st.integers(1, 35), st.integers(0, 10**7), st.integers(0, 10**7),
       st.sampled_from(CURRENCIES))
def test_a_catch_up_makes_revenue_to_date_what_the_new_price_earns(
        start, months, done, old, new, currency):
    assume(done < months)
    minor = quantum(currency)
    old, new = old * minor, new * minor
    end = add_months(start, months)
    before = schedules.ratable_schedule(old, currency, start, end)
    recognized = {line.month: line.amount for line in before[:done]}
    first_open = before[done].month

    after = schedules.ratable_schedule(new, currency, start, end)
    caught_up = schedules.catch_up(after, currency, recognized=recognized,
                                   first_open=first_open)

    to_date = sum(recognized.values()) + sum(
        line.amount for line in caught_up if line.month == first_open)
    # the new price × the share delivered (by day) to the end of the first open month, as the
    # new schedule rounds it: each month within a minor unit of its exact share
    delivered = (before[done].end - start).days
    exact = new * D(delivered) / D((end - start).days)
    assert to_date == sum(line.amount for line in after if line.month <= first_open)
    assert abs(to_date - exact) <= minor * (done + 1)
    assert all(line.month >= first_open for line in caught_up)
    assert sum(recognized.values()) + sum(line.amount for line in caught_up) == new


def test_ie24_the_second_quarter_takes_the_discount_on_the_first():
    # IFRS 15 IE Example 24 (IE126-IE128): 75 units at CU100 recognized in the first quarter;
    # in the second, 500 more and the price now expected to be CU90 for all: revenue of the
    # second quarter is 575 × 90 less 7,500 = 44,250 (500 × 90 less 75 × 10)
    recognized = {date(2027, 1, 1): D("7500.00")}
    new = (schedules.ScheduleLine(date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 1),
                                  D("6750.00")),
           schedules.ScheduleLine(date(2027, 4, 1), date(2027, 4, 1), date(2027, 4, 1),
                                  D("45000.00")))
    lines = schedules.catch_up(new, "USD", recognized=recognized, first_open=date(2027, 4, 1))
    assert [(line.month, line.amount) for line in lines] == [(date(2027, 4, 1),
                                                              D("44250.00"))]


@st.composite
def chains(draw, currency):
    """Obligations at inception (SSP), some ended by a modification with a successor, or with
    a new contract of two obligations sharing what it passes on by SSP (15.21(a), IE Example
    6's Y and Z), of which it may be one itself, which may be ended in turn; each ended one
    keeps part of its price."""
    minor = quantum(currency)
    count = draw(st.integers(1, 5))
    basis = [(f"o{i}", D(draw(st.integers(0, 10**6)))) for i in range(count)]
    carried, ends = {}, [key for key, _ in basis]
    for step in range(draw(st.integers(0, 6))):
        ended = ends.pop(draw(st.integers(0, len(ends) - 1)))
        price = draw(st.integers(0, 10**7)) * minor
        kept = draw(st.integers(0, int(price / minor))) * minor
        kind = draw(st.integers(0, 2))
        if kind == 0:
            carried[ended] = (f"s{step}", kept, price)
            ends.append(f"s{step}")
        elif kind == 1:  # it stays in the new contract with the added goods (IE Example 6)
            carried[ended] = (((ended, D(draw(st.integers(1, 10**6)))),
                               (f"z{step}", D(draw(st.integers(1, 10**6))))), kept, price)
            ends.append(f"z{step}")
        else:
            carried[ended] = (((f"s{step}", D(draw(st.integers(1, 10**6)))),
                               (f"z{step}", D(draw(st.integers(1, 10**6))))), kept, price)
            ends += [f"s{step}", f"z{step}"]
        if not ends:
            break
    return basis, carried


@given(st.sampled_from(CURRENCIES).flatmap(
    lambda c: st.tuples(st.just(c), st.integers(-10**7, 10**7), chains(c))))
def test_a_change_is_attributed_exactly(case):
    # IFRS 15.88: the change is allocated on the inception basis, in whole; 15.90(a): what an
    # ended obligation passes on, its successor takes
    currency, units, (basis, carried) = case
    change = units * quantum(currency)
    shares = variable.attribute_change(change, currency, basis, carried)
    assert sum(shares.values(), D(0)) == change
    assert all(round_money(share, currency) == share for share in shares.values())
    if not carried:
        assert [shares.get(key, D(0)) for key, _ in basis] == [
            a if change >= 0 else -a for a in allocate(abs(change), [ssp for _, ssp in basis],
                                                      currency)]
    assert all(change * share >= 0 for share in shares.values())  # never the other way
