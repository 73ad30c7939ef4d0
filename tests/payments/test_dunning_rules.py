"""Dunning rules: literal-date worked examples, then properties (never a step twice). No DB."""

import doctest
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments import dunning_rules
from payments.dunning_rules import (
    Action,
    DunningPolicy,
    DunningSnapshot,
    DunningStep,
    dunning_step,
)

DUE = date(2026, 3, 1)
POLICY = DunningPolicy(steps=(
    DunningStep("before", -3, Action.REMIND),
    DunningStep("due", 0, Action.REMIND),
    DunningStep("retry", 3, Action.RETRY_CHARGE),
    DunningStep("escalate", 10, Action.ESCALATE),
    DunningStep("final", 20, Action.FINAL_NOTICE),
    DunningStep("hold", 30, Action.SUSPEND),
    DunningStep("write-off", 90, Action.WRITE_OFF),
))


def snapshot(last_step=None, overdue=D("250.00"), paused=False, due=DUE):
    return DunningSnapshot(oldest_due_on=due, amount_overdue=overdue, last_step=last_step,
                           paused=paused)


def test_module_docstring_examples_hold():
    assert doctest.testmod(dunning_rules).failed == 0


@pytest.mark.parametrize(("today", "last_step", "key", "action"), [
    (date(2026, 2, 25), None, None, Action.NONE),              # 4 days before due
    (date(2026, 2, 26), None, "before", Action.REMIND),        # 3 days before due
    (date(2026, 3, 1), "before", "due", Action.REMIND),        # on the due date
    (date(2026, 3, 3), "due", None, Action.NONE),              # day 2: retry is at day 3
    (date(2026, 3, 4), "due", "retry", Action.RETRY_CHARGE),
    (date(2026, 3, 11), "retry", "escalate", Action.ESCALATE),
    (date(2026, 3, 21), "escalate", "final", Action.FINAL_NOTICE),
    (date(2026, 3, 31), "final", "hold", Action.SUSPEND),
    (date(2026, 5, 30), "hold", "write-off", Action.WRITE_OFF),  # day 90
    (date(2026, 5, 29), "hold", None, Action.NONE),            # day 89
])
def test_each_step_fires_on_its_day(today, last_step, key, action):
    result = dunning_step(snapshot(last_step), POLICY, today)
    assert result.action is action
    assert (result.step.key if result.step else None) == key
    assert result.days_past_due == (today - DUE).days


def test_a_step_already_taken_never_fires_again():
    # given the final notice was sent on day 20
    taken = snapshot("final")
    # when the task runs again that day and the days after
    results = [dunning_step(taken, POLICY, DUE + timedelta(days=d)) for d in (20, 21, 29)]
    # then nothing new happens until the next step's day
    assert [r.action for r in results] == [Action.NONE] * 3
    assert results[0].reason == "20 days past due, no step is due yet"


def test_after_a_gap_only_the_latest_due_step_fires_and_the_rest_are_reported_skipped():
    result = dunning_step(snapshot("due"), POLICY, date(2026, 4, 5))  # day 35
    assert (result.action, result.step.key) == (Action.SUSPEND, "hold")
    assert result.skipped == ("retry", "escalate", "final")
    assert result.reason == "35 days past due: step hold"


def test_grace_period_holds_steps_after_the_due_date_only():
    policy = DunningPolicy(steps=POLICY.steps, grace_days=5)
    assert dunning_step(snapshot("before"), policy, DUE).step.key == "due"
    held = dunning_step(snapshot("due"), policy, DUE + timedelta(days=5))
    assert held.action is Action.NONE
    assert held.reason == "5 days past due, within the 5-day grace period"
    assert dunning_step(snapshot("due"), policy, DUE + timedelta(days=6)).step.key == "retry"


def test_overdue_amounts_at_or_below_the_minimum_are_not_chased():
    policy = DunningPolicy(steps=POLICY.steps, minimum_overdue=D("1.00"))
    result = dunning_step(snapshot("due", overdue=D("1.00")), policy, date(2026, 3, 15))
    assert result.action is Action.NONE
    assert result.reason == "14 days past due, but nothing above the minimum is overdue"
    assert dunning_step(snapshot("due", overdue=D("1.01")), policy,
                        date(2026, 3, 15)).step.key == "escalate"


def test_before_due_reminders_need_no_overdue_amount():
    result = dunning_step(snapshot(None, overdue=D(0)), POLICY, date(2026, 2, 27))
    assert (result.step.key, result.reason) == ("before", "due in 2 days: step before")


@pytest.mark.parametrize(("snap", "reason"), [
    (snapshot(paused=True), "dunning is paused for this account"),
    (DunningSnapshot(None, D(0)), "nothing is open"),
    (snapshot("write-off"), "200 days past due, every step has been taken"),
])
def test_nothing_to_do_says_why(snap, reason):
    result = dunning_step(snap, POLICY, DUE + timedelta(days=200))
    assert (result.action, result.step, result.reason) == (Action.NONE, None, reason)


def test_a_last_step_unknown_to_the_policy_is_refused():
    with pytest.raises(ValueError, match=r"last step taken \(old-step\) is not in this policy"):
        dunning_step(snapshot("old-step"), POLICY, DUE)


@pytest.mark.parametrize(("steps", "kwargs", "message"), [
    ((DunningStep("a", 1, Action.REMIND), DunningStep("a", 2, Action.REMIND)), {}, "unique"),
    ((DunningStep("a", 5, Action.REMIND), DunningStep("b", 5, Action.REMIND)), {},
     "each later than the one before"),
    ((DunningStep("a", 5, Action.NONE),), {}, "needs an action"),
    ((), {"grace_days": -1}, "grace period cannot be negative"),
    ((), {"minimum_overdue": D(-1)}, "minimum overdue amount cannot be negative"),
])
def test_bad_policies_are_refused(steps, kwargs, message):
    with pytest.raises(ValueError, match=message):
        DunningPolicy(steps=steps, **kwargs)


# ---- properties ------------------------------------------------------------------------------

@st.composite
def policies(draw):
    offsets = sorted(draw(st.sets(st.integers(min_value=-15, max_value=120), min_size=1,
                                  max_size=8)))
    actions = [a for a in Action if a is not Action.NONE]
    steps = tuple(DunningStep(f"s{d}", d, draw(st.sampled_from(actions))) for d in offsets)
    return DunningPolicy(steps, grace_days=draw(st.integers(0, 10)))


run_gaps = st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=40)


@given(policies(), run_gaps, st.booleans())
def test_a_daily_task_fires_each_step_at_most_once_in_order(policy, gaps, overdue):
    # given a task that runs on arbitrary days (several times a day, or after gaps)
    snap = snapshot(None, overdue=D("10.00") if overdue else D(0))
    today = DUE - timedelta(days=20)
    fired, skipped = [], []
    for gap in gaps:
        today += timedelta(days=gap)
        # when it runs twice on the same day with the same snapshot
        first, again = (dunning_step(snap, policy, today) for _ in range(2))
        assert first == again
        if first.step is not None:
            assert first.step.days <= first.days_past_due
            fired.append(first.step.key)
            skipped.extend(first.skipped)
        if first.step is not None:  # the service records the step it took
            snap = replace(snap, last_step=first.step.key)
    # then no step fired twice, steps came in policy order, and none was both fired and skipped
    order = [s.key for s in policy.steps]
    assert len(set(fired)) == len(fired)
    assert fired == sorted(fired, key=order.index)
    assert not set(fired) & set(skipped)
    # and everything due by the last run was either fired or skipped
    days = (today - DUE).days
    due = [s.key for s in policy.steps if s.days <= days and (
        s.days <= 0 or (overdue and days > policy.grace_days))]
    assert set(due) <= set(fired) | set(skipped)


@given(policies(), st.integers(min_value=-30, max_value=200))
def test_paused_accounts_are_never_chased(policy, days):
    result = dunning_step(snapshot(paused=True), policy, DUE + timedelta(days=days))
    assert result.action is Action.NONE


# --- account-wide limits: a threshold per currency, spacing, a maximum of attempts -----------

LIMITED = replace(POLICY, thresholds=(("EUR", D("100.00")),), minimum_days_between=7,
                  maximum_attempts=3, minimum_overdue=D("50.00"))


def test_the_accounts_whole_overdue_balance_decides_where_the_currency_has_a_threshold():
    """SAP Business One's dunning terms (ODUT "All Min. Balance" with its currency): the
    customer's balance, not each invoice's, must pass the minimum. A 30.00 invoice (below the
    per-invoice minimum of 50) is chased when the account owes 130.00 EUR overdue in all, and
    not when it owes 100.00; in USD (no threshold) the per-invoice minimum still rules."""
    small = replace(snapshot(last_step="due", overdue=D("30.00")), currency="EUR")
    day = DUE + timedelta(days=4)
    assert dunning_step(replace(small, account_overdue=D("130.00")), LIMITED,
                        day).step.key == "retry"
    held = dunning_step(replace(small, account_overdue=D("100.00")), LIMITED, day)
    assert held.action is Action.NONE
    assert held.reason == "4 days past due, but the account's overdue EUR balance is not above " \
                          "the threshold"
    in_usd = replace(small, currency="USD", account_overdue=D("1000.00"))
    assert dunning_step(in_usd, LIMITED, day).action is Action.NONE


def test_no_step_within_the_spacing_after_the_accounts_last_step():
    snap = replace(snapshot(last_step="due"), currency="EUR", account_overdue=D("250.00"))
    day = DUE + timedelta(days=4)
    waiting = dunning_step(replace(snap, last_taken_on=day - timedelta(days=6)), LIMITED, day)
    assert waiting.action is Action.NONE
    assert waiting.reason == ("4 days past due, the account's last step was 6 days ago and the "
                              "policy waits 7 days")
    assert dunning_step(replace(snap, last_taken_on=day - timedelta(days=7)), LIMITED,
                        day).step.key == "retry"


def test_no_step_after_the_maximum_of_attempts():
    snap = replace(snapshot(last_step="retry"), currency="EUR", account_overdue=D("250.00"),
                   attempts=3)
    stopped = dunning_step(snap, LIMITED, DUE + timedelta(days=40))
    assert stopped.action is Action.NONE
    assert stopped.reason == "40 days past due, the policy's 3 attempts are taken"


@pytest.mark.parametrize("kwargs, message", [
    ({"thresholds": (("EUR", D("-1")),)}, "An account threshold cannot be negative."),
    ({"minimum_days_between": -1}, "The days between steps cannot be negative."),
    ({"maximum_attempts": 0}, "The maximum number of attempts must be at least 1."),
])
def test_bad_limits_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        replace(POLICY, **kwargs)


@given(policies(), run_gaps, st.integers(min_value=0, max_value=15),
       st.integers(min_value=1, max_value=5))
def test_a_daily_task_keeps_the_spacing_and_the_maximum(policy, gaps, spacing, attempts):
    policy = replace(policy, minimum_days_between=spacing, maximum_attempts=attempts)
    day, last, taken = DUE - timedelta(days=5), None, []
    for gap in gaps:
        day += timedelta(days=gap)
        snap = DunningSnapshot(DUE, D("250.00"), last, currency="EUR",
                               last_taken_on=taken[-1] if taken else None, attempts=len(taken))
        action = dunning_step(snap, policy, day)
        if action.action is not Action.NONE:
            last = action.step.key
            taken.append(day)
    assert len(taken) <= attempts
    assert all((b - a).days >= spacing for a, b in zip(taken, taken[1:], strict=False))
