"""The suspension policy of a dunning step and the credit of blocked days: pure, no database.

Worked examples from public documentation:
- Zuora, "Suspend subscriptions" (https://knowledgecenter.zuora.com/Zuora_Billing/
  Subscriptions/Subscriptions/Suspend_a_Subscription): bill cycle day 10, suspended on 15 May,
  resumed on 13 June; Zuora bills the partial periods 10–14 May and 13 June–9 July only, so
  the blocked days are 26 of the 31 of May's period and 3 of the 30 of June's.
- Chargebee, "Pause Subscription" (https://www.chargebee.com/docs/pause-subscription.html):
  a subscription may be paused "when there are issues with the payment"; Chargebee "does not
  automatically provide credits for the unused billing period", so crediting is a policy of
  the step, off unless the step says so.
"""

import doctest
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.proration import Convention, DayCount
from payments import blocked_days, dunning_rules
from payments.blocked_days import Charge, blocked_credits, credit_totals
from payments.dunning_rules import (
    Action,
    DunningAction,
    DunningPolicy,
    DunningSnapshot,
    DunningStep,
    Suspension,
    dunning_step,
    resumes_billing,
    step_errors,
    suspension_of,
)


def test_doctests():
    for module in (dunning_rules, blocked_days):
        assert doctest.testmod(module).failed == 0


def test_only_a_suspend_step_may_pause_billing_and_only_a_pause_may_credit():
    assert step_errors(DunningStep("hold", 30, Action.SUSPEND, True, True)) == {}
    assert step_errors(DunningStep("remind", 5, Action.REMIND, pauses_billing=True)) == {
        "pauses_billing": "Only a suspend step can pause billing."}
    assert "credits_blocked_days" in step_errors(
        DunningStep("hold", 30, Action.SUSPEND, credits_blocked_days=True))
    with pytest.raises(ValueError, match="Step remind: Only a suspend step can pause billing"):
        DunningPolicy(steps=(DunningStep("remind", 5, Action.REMIND, pauses_billing=True),))


def test_the_step_taken_carries_its_suspension_policy():
    policy = DunningPolicy(steps=(
        DunningStep("first", 1, Action.REMIND),
        DunningStep("hold", 45, Action.SUSPEND, pauses_billing=True, credits_blocked_days=True)))
    snapshot = DunningSnapshot(date(2026, 10, 31), D("100.00"), last_step="first")
    taken = dunning_step(snapshot, policy, date(2026, 12, 15))
    assert taken.action is Action.SUSPEND
    assert suspension_of(taken) == Suspension(True, True)
    reminder = dunning_step(DunningSnapshot(date(2026, 10, 31), D("100.00")), policy,
                            date(2026, 11, 1))
    assert suspension_of(reminder) == Suspension(False, False)


def test_a_none_action_pauses_nothing():
    step = DunningStep("hold", 45, Action.SUSPEND, pauses_billing=True)
    assert not suspension_of(DunningAction(Action.NONE, step, 1, "")).pauses_billing


def test_billing_resumes_only_when_nothing_is_overdue_in_any_currency():
    assert resumes_billing({"USD": D("0.00"), "EUR": D("0")})
    assert not resumes_billing({"USD": D("0.00"), "EUR": D("0.01")})


def test_zuora_suspend_example_bill_day_10():
    # $100.00 a month billed on the 10th; suspended 15 May, resumed 13 June (Zuora's example)
    may = Charge(1, 1, "USD", D("100.00"), date(2017, 5, 10), date(2017, 6, 10))
    june = Charge(2, 1, "USD", D("100.00"), date(2017, 6, 10), date(2017, 7, 10))
    credits = blocked_credits([may, june], paused_on=date(2017, 5, 15),
                              resumed_on=date(2017, 6, 13))
    assert [(c.days, c.period_days, c.amount) for c in credits] == [
        (26, 31, D("83.87")), (3, 30, D("10.00"))]
    # what stays billed is Zuora's partial periods: 10–14 May (5 days) and 13 June–9 July (27)
    assert D("200.00") - credit_totals(credits)["USD"] == D("16.13") + D("90.00")
    assert credits[1].explanation == "3 of 30 days blocked × $100.00 = $10.00"


def test_each_line_uses_its_own_day_count_convention():
    actual = Charge(1, 1, "EUR", D("100.00"), date(2026, 2, 1), date(2026, 3, 1))
    thirty = Charge(2, 2, "EUR", D("100.00"), date(2026, 2, 1), date(2026, 3, 1),
                    Convention(DayCount.THIRTY_360))
    a, t = blocked_credits([actual, thirty], paused_on=date(2026, 2, 15),
                           resumed_on=date(2026, 3, 1))
    assert (a.days, a.period_days, a.amount) == (14, 28, D("50.00"))
    assert (t.days, t.period_days, t.amount) == (16, 30, D("53.33"))
    assert t.explanation == "16 of 30 days blocked (30/360) × €100.00 = €53.33"


def test_currencies_are_credited_apart_and_in_their_minor_unit():
    yen = Charge(1, 1, "JPY", D("10000"), date(2026, 1, 1), date(2026, 2, 1))
    usd = Charge(2, 2, "USD", D("100.00"), date(2026, 1, 1), date(2026, 2, 1))
    totals = credit_totals(blocked_credits([yen, usd], paused_on=date(2026, 1, 20),
                                           resumed_on=date(2026, 2, 1)))
    assert totals == {"JPY": D("3871"), "USD": D("38.71")}


def test_a_window_outside_the_period_or_empty_credits_nothing():
    jan = Charge(1, 1, "USD", D("100.00"), date(2026, 1, 1), date(2026, 2, 1))
    assert blocked_credits([jan], paused_on=date(2026, 2, 3), resumed_on=date(2026, 2, 9)) == []
    assert blocked_credits([jan], paused_on=date(2026, 1, 5), resumed_on=date(2026, 1, 5)) == []
    with pytest.raises(ValueError, match="before it was paused"):
        blocked_credits([jan], paused_on=date(2026, 1, 5), resumed_on=date(2026, 1, 4))


days = st.integers(min_value=0, max_value=800)
amounts = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


def months(start: date, count: int) -> list[tuple[date, date]]:
    periods, day = [], start
    for _ in range(count):
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        periods.append((day, following))
        day = following
    return periods


@given(amount=st.decimals(min_value=D("1.00"), max_value=D("100000"), places=2), start=days,
       length=days)
def test_blocked_days_of_consecutive_periods_add_up_to_the_window(amount, start, length):
    # (from 1.00 a period, a single blocked day is worth at least a cent: a credit that
    # rounds to nothing is left out)
    periods = months(date(2026, 1, 1), 60)  # past the longest window
    paused = date(2026, 1, 1) + timedelta(days=start)
    resumed = paused + timedelta(days=length)
    credits = blocked_credits([Charge(i, 1, "USD", amount, s, e)
                               for i, (s, e) in enumerate(periods)],
                              paused_on=paused, resumed_on=resumed)
    assert sum(c.days for c in credits) == length
    assert all(D(0) < c.amount <= amount for c in credits)


@given(amount=amounts, cut=st.integers(min_value=0, max_value=31))
def test_splitting_a_window_never_credits_more_than_the_whole_period(amount, cut):
    jan = Charge(1, 1, "USD", amount, date(2026, 1, 1), date(2026, 2, 1))
    middle = date(2026, 1, 1) + timedelta(days=cut)
    parts = blocked_credits([jan], paused_on=date(2026, 1, 1), resumed_on=middle) \
        + blocked_credits([jan], paused_on=middle, resumed_on=date(2026, 2, 1))
    whole = blocked_credits([jan], paused_on=date(2026, 1, 1), resumed_on=date(2026, 2, 1))
    assert whole[0].amount == amount  # a whole period blocked credits the whole charge
    assert abs(sum(p.amount for p in parts) - amount) <= D("0.01")  # one rounding each
