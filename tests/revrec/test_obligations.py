"""From contract lines to obligations (pure): bundles, usage, SSP over a term and who owns the
discount; worked examples then properties."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.allocation import allocate_transaction_price
from catalog.obligations import (
    LineFacts,
    allocate_plan,
    months_covered,
    plan_obligations,
    ssp_over_term,
)


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


def test_a_bundles_components_share_the_bundles_price_and_no_more():
    # given the contract of the December 2026 review (ux.md, finding 5), SSPs over the term:
    # the Growth bundle (24,000.00 a year) includes Professional (1,500 a month: 18,000.00),
    # 25 seats (30 a seat-month: 9,000.00) and onboarding (5,000.00 one-time); beside it the
    # Enterprise edition at 30,240.00 (SSP 4,000 a month: 48,000.00) and 40 single sign-on
    # seats at their SSP (4 a seat-month: 1,920.00)
    lines = [
        LineFacts("bundle", D("24000.00"), D("24000.00"), "ratable", is_bundle=True),
        LineFacts("pro", D(0), D("18000.00"), "ratable", bundle_key="bundle"),
        LineFacts("seats", D(0), D("9000.00"), "ratable", bundle_key="bundle"),
        LineFacts("onboarding", D(0), D("5000.00"), "point_in_time", bundle_key="bundle"),
        LineFacts("enterprise", D("30240.00"), D("48000.00"), "ratable"),
        LineFacts("sso", D("1920.00"), D("1920.00"), "ratable"),
    ]

    # when
    plan = plan_obligations(lines, "USD")
    allocated = {a.key: a for a in allocate_plan(plan, "USD")}

    # then: the bundle's 24,000.00 goes to its components by their SSPs (18 : 9 : 5), the
    # onboarding takes 5/32 of it; the enterprise edition owns the rest's discount
    assert {k: a.amount for k, a in allocated.items()} == {
        "pro": D("13500.00"), "seats": D("6750.00"), "onboarding": D("3750.00"),
        "enterprise": D("30240.00"), "sso": D("1920.00")}
    assert (allocated["onboarding"].pool, allocated["onboarding"].pool_ssp) == (
        D("24000.00"), D("32000.00"))
    assert plan.discount_to == frozenset({"enterprise"})
    assert sum(a.amount for a in allocated.values()) == plan.transaction_price


def test_usage_is_left_out_of_the_fixed_price():
    lines = [LineFacts("seats", D("900.00"), D("1000.00"), "ratable"),
             LineFacts("api", D(0), D(0), "as_billed")]

    plan = plan_obligations(lines, "USD")

    assert plan.transaction_price == D("900.00") and plan.usage_keys == ("api",)
    assert [o.key for o in plan.obligations] == ["seats"]


def term_ssp(unit, basis, quantity, start, end, **kwargs):
    return ssp_over_term(D(unit), basis, D(quantity), start, end, "USD", **kwargs).amount


def test_ssp_over_a_term_scales_its_basis_to_the_term_whatever_the_billing_period():
    # The review of December 2026 (ux.md, finding 5): 60 seats billed annually took the
    # monthly SSP of 30 as a yearly one (1,800.00). A per-month SSP over a year is 12 months.
    start, end = date(2026, 12, 1), date(2027, 11, 30)
    assert term_ssp(30, "per_month", 60, start, end) == D("21600.00")
    assert term_ssp(4000, "per_month", 1, start, end) == D("48000.00")
    assert term_ssp(3000, "per_year", 1, start, end) == D("3000.00")
    assert term_ssp(3000, "per_year", 1, start, date(2028, 5, 31)) == D("4500.00")  # 18 months
    assert term_ssp(5000, "one_time", 1, start, end) == D("5000.00")
    assert term_ssp(1500, "one_time", 3, start, start, recurring=False) == D("4500.00")
    # thirteen months
    assert term_ssp(30, "per_month", 1, start, date(2027, 12, 31)) == D("390.00")


def test_ssp_basis_unknown_is_refused():
    with pytest.raises(ValueError, match="unknown SSP basis 'per_week'"):
        term_ssp(30, "per_week", 1, date(2026, 12, 1), date(2027, 11, 30))


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
