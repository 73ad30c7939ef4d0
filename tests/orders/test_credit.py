"""The credit decision and the first-year value: pure functions, worked examples and
properties."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.credit import CreditSnapshot, LineValue, credit_decision, first_year_value

D = Decimal


def snapshot(**changes) -> CreditSnapshot:
    values = {"account_currency": "USD", "order_currency": "USD", "credit_limit": D("10000"),
              "open_receivable": D("2000"), "order_value": D("8000"), "is_overdue": False}
    return CreditSnapshot(**{**values, **changes})


def test_exposure_equal_to_the_limit_passes():
    assert credit_decision(snapshot()).approved


def test_exposure_over_the_limit_is_held_with_its_figures():
    decision = credit_decision(snapshot(open_receivable=D("2000.01")))
    assert not decision.approved
    assert decision.reason == (
        "Open receivable USD 2,000.01 plus this order's first-year value USD 8,000.00 is "
        "USD 10,000.01, over the credit limit of USD 10,000.00 by USD 0.01.")


def test_no_limit_set_means_no_limit():
    assert credit_decision(snapshot(credit_limit=D("0"), order_value=D("9999999"))).approved


def test_overdue_account_is_held_even_within_the_limit():
    decision = credit_decision(snapshot(is_overdue=True, overdue_since=date(2026, 10, 1)))
    assert not decision.approved
    assert decision.reason == "The account is flagged overdue since 2026-10-01."


def test_overdue_and_over_limit_give_both_reasons():
    decision = credit_decision(snapshot(is_overdue=True, order_value=D("9000")))
    assert len(decision.reasons) == 2


def test_order_in_another_currency_waits_for_finance():
    decision = credit_decision(snapshot(order_currency="EUR", credit_limit=D("0")))
    assert not decision.approved and "EUR" in decision.reason


def test_first_year_value_examples():
    lines = [
        LineValue(1, D("12.82"), D("153.84")),  # monthly, 12-month term: 12 periods
        LineValue(3, D("100.00"), D("800.00")),  # quarterly, 24-month term: 4 in year one
        LineValue(12, D("1200.00"), D("3600.00")),  # annual, 3 years: one in year one
        LineValue(1, D("50.00"), D("300.00")),  # monthly, 6-month term: capped at its net
        LineValue(0, D("0"), D("5000.00")),  # one-time
    ]
    assert first_year_value(lines, "USD") == D("153.84") + D("400.00") + D("1200.00") + D(
        "300.00") + D("5000.00")


def test_first_year_value_rounds_to_the_currency():
    assert first_year_value([LineValue(0, D("0"), D("10"))], "JPY") == D("10")
    assert first_year_value([], "KWD") == D("0.000")


@given(st.sampled_from([1, 3, 12]), st.integers(1, 10**6), st.integers(1, 60))
def test_recurring_first_year_never_exceeds_the_term_or_a_year(months, cents, term_periods):
    per_period = D(cents) / 100
    net = per_period * term_periods
    value = first_year_value([LineValue(months, per_period, net)], "USD")
    assert value <= net
    assert value <= per_period * (12 // months)
