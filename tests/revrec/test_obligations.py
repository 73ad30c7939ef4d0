"""From contract lines to obligations (pure): bundles, usage, SSP over a term and who owns the
discount; worked examples then properties."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revrec.allocation import allocate_transaction_price
from revrec.obligations import LineFacts, months_covered, plan_obligations, ssp_over_term


def test_a_bundle_with_a_discount_across_three_obligations():
    # given: a bundle line (price 12,000.00) whose three components are lines of their own
    lines = [
        LineFacts("bundle", D("12000.00"), D("15000.00"), "ratable", is_bundle=True),
        LineFacts("platform", D(0), D("10000.00"), "ratable", bundle_key="bundle"),
        LineFacts("seats", D(0), D("4000.00"), "ratable", bundle_key="bundle"),
        LineFacts("onboarding", D(0), D("1000.00"), "point_in_time", bundle_key="bundle"),
    ]

    # when
    plan = plan_obligations(lines, "USD")
    allocated = allocate_transaction_price(plan.transaction_price, "USD", plan.obligations,
                                           discount_to=plan.discount_to)

    # then: the bundle's own line is no obligation; its 20% discount is spread by SSP
    assert [o.key for o in plan.obligations] == ["platform", "seats", "onboarding"]
    assert plan.discount_to is None
    assert [a.amount for a in allocated] == [D("8000.00"), D("3200.00"), D("800.00")]


def test_a_discount_that_belongs_to_two_of_three():
    # given: licence and support discounted together, training sold at its SSP
    lines = [
        LineFacts("licence", D("700.00"), D("1000.00"), "ratable"),
        LineFacts("support", D("400.00"), D("400.00"), "ratable", bundle_key="licence"),
        LineFacts("training", D("100.00"), D("100.00"), "point_in_time"),
    ]

    plan = plan_obligations(lines, "USD")
    allocated = allocate_transaction_price(plan.transaction_price, "USD", plan.obligations,
                                           discount_to=plan.discount_to)

    assert plan.discount_to == frozenset({"licence", "support"})
    assert [a.amount for a in allocated] == [D("785.71"), D("314.29"), D("100.00")]


def test_usage_is_left_out_of_the_fixed_price():
    lines = [LineFacts("seats", D("900.00"), D("1000.00"), "ratable"),
             LineFacts("api", D(0), D(0), "as_billed")]

    plan = plan_obligations(lines, "USD")

    assert plan.transaction_price == D("900.00") and plan.usage_keys == ("api",)
    assert [o.key for o in plan.obligations] == ["seats"]


def test_ssp_over_a_term_counts_the_billing_periods():
    start, end = date(2026, 12, 1), date(2027, 11, 30)
    assert ssp_over_term(D(30), D(5), "monthly", start, end, "USD") == D("1800.00")
    assert ssp_over_term(D(3000), D(1), "annual", start, end, "USD") == D("3000.00")
    assert ssp_over_term(D(500), D(2), "quarterly", start, end, "USD") == D("4000.00")
    assert ssp_over_term(D(5000), D(1), "one_time", start, start, "USD") == D("5000.00")


@pytest.mark.parametrize(("start", "end", "months"), [
    (date(2026, 1, 1), date(2026, 12, 31), D(12)),
    (date(2026, 1, 31), date(2026, 2, 27), D(1)),  # 31 January + 1 month is 28 February
    (date(2026, 1, 1), date(2026, 2, 14), D(1) + D(14) / D(28)),
    (date(2024, 1, 1), date(2024, 2, 14), D(1) + D(14) / D(29)),  # a leap February
])
def test_months_covered(start, end, months):
    assert months_covered(start, end) == months


@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**7)), min_size=1,
                max_size=8))
def test_the_allocation_adds_up_to_the_transaction_price(pairs):
    lines = [LineFacts(str(n), D(net) / 100, D(ssp) / 100, "ratable")
             for n, (net, ssp) in enumerate(pairs)]
    plan = plan_obligations(lines, "USD")
    allocated = allocate_transaction_price(plan.transaction_price, "USD", plan.obligations,
                                           discount_to=plan.discount_to)
    assert sum(a.amount for a in allocated) == plan.transaction_price
    if plan.discount_to is not None:  # the others keep their SSP
        assert all(a.amount == a.ssp for a in allocated if a.key not in plan.discount_to)
