"""Due schedules and early-payment discounts: worked examples with literal dates, then properties.

No database: plain functions over dates and Decimal.
"""

import doctest
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import due_schedule as module
from catalog.due_schedule import (
    EarlyDiscount,
    Instalment,
    InstalmentTerm,
    TermsKind,
    TermsSpec,
    due_date,
    due_schedule,
    early_discount,
    next_business_day,
)
from core.money import quantum


def test_module_docstring_examples_hold():
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(("issued", "days", "due"), [
    (date(2026, 1, 10), 30, date(2026, 2, 9)),
    (date(2026, 1, 31), 30, date(2026, 3, 2)),
    (date(2024, 1, 31), 30, date(2024, 3, 1)),    # leap February
    (date(2026, 12, 15), 30, date(2027, 1, 14)),
    (date(2026, 6, 1), 0, date(2026, 6, 1)),      # due on receipt
])
def test_net_n_days_is_due_n_calendar_days_after_issue(issued, days, due):
    assert due_schedule(D("500.00"), "USD", issued, TermsSpec(TermsKind.NET, days=days)) == [
        Instalment(due, D("500.00"))]


@pytest.mark.parametrize(("issued", "days", "due"), [
    (date(2026, 1, 10), 15, date(2026, 2, 15)),
    (date(2026, 1, 31), 15, date(2026, 2, 15)),   # issued on the last day: same month end
    (date(2026, 2, 1), 30, date(2026, 3, 30)),    # 28 February + 30
    (date(2024, 2, 1), 30, date(2024, 3, 30)),    # 29 February + 30
    (date(2026, 12, 5), 0, date(2026, 12, 31)),
])
def test_end_of_month_plus_n_counts_from_the_issue_months_last_day(issued, days, due):
    terms = TermsSpec(TermsKind.END_OF_MONTH, days=days)
    assert due_schedule(D("500.00"), "USD", issued, terms)[0].due_on == due


def test_instalments_split_by_largest_remainder_ties_to_the_earlier():
    # given three equal instalments of a total that does not divide by three
    terms = TermsSpec(TermsKind.INSTALMENTS, instalments=(
        InstalmentTerm(D("33.334"), 0), InstalmentTerm(D("33.333"), 30),
        InstalmentTerm(D("33.333"), 60)))
    # when the schedule is made
    schedule = due_schedule(D("0.02"), "USD", date(2026, 3, 1), terms)
    # then the odd cents go to the largest remainders and the parts add up exactly
    assert [i.amount for i in schedule] == [D("0.01"), D("0.01"), D("0.00")]
    assert [i.due_on for i in schedule] == [date(2026, 3, 1), date(2026, 3, 31),
                                            date(2026, 4, 30)]


def test_a_deposit_and_balance_plan_in_yen():
    terms = TermsSpec(TermsKind.INSTALMENTS, instalments=(
        InstalmentTerm(D(30), 0), InstalmentTerm(D(70), 45)))
    assert due_schedule(D("100001"), "JPY", date(2026, 5, 20), terms) == [
        Instalment(date(2026, 5, 20), D("30000")), Instalment(date(2026, 7, 4), D("70001"))]


def test_instalments_come_back_in_date_order():
    terms = TermsSpec("instalments", instalments=(
        InstalmentTerm(D(50), 60), InstalmentTerm(D(50), 30)))
    schedule = due_schedule(D("10.00"), "USD", date(2026, 1, 1), terms)
    assert [i.due_on for i in schedule] == [date(2026, 1, 31), date(2026, 3, 2)]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "instalments"}, "at least one instalment"),
    ({"kind": "instalments", "instalments": (InstalmentTerm(D(60), 0),
                                             InstalmentTerm(D(30), 30))},
     "add up to 90%, not 100%"),
    ({"kind": "instalments", "instalments": (InstalmentTerm(D(0), 0),
                                             InstalmentTerm(D(100), 30))},
     "Instalment 1: the percent is above 0"),
    ({"kind": "instalments", "instalments": (InstalmentTerm(D(100), -1),)},
     "Instalment 1: the due days cannot be negative"),
    ({"kind": "net", "days": -5}, "cannot be negative"),
    ({"kind": "eom", "instalments": (InstalmentTerm(D(100), 0),)}, "have no instalments"),
])
def test_bad_terms_are_refused_with_their_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TermsSpec(**kwargs)


def test_an_unrounded_total_is_refused():
    with pytest.raises(ValueError, match="not rounded to USD"):
        due_schedule(D("10.005"), "USD", date(2026, 1, 1), TermsSpec())
    with pytest.raises(ValueError, match="not rounded to JPY"):
        early_discount(D("10.5"), "JPY", date(2026, 1, 1), D(2), 10)


# ---- early-payment discount ------------------------------------------------------------------

def test_two_ten_net_thirty():
    offer = early_discount(D("1000.00"), "USD", date(2026, 1, 10), D(2), 10)
    assert offer == EarlyDiscount(date(2026, 1, 20), D("20.00"), D("980.00"))
    assert offer.applies(date(2026, 1, 20))
    assert not offer.applies(date(2026, 1, 21))


def test_the_discount_is_rounded_once_half_away_from_zero():
    assert early_discount(D("0.25"), "USD", date(2026, 1, 1), D(2), 10).discount == D("0.01")
    assert early_discount(D("12.345"), "KWD", date(2026, 1, 1), D("1.5"), 0).discount == (
        D("0.185"))
    assert early_discount(D("999"), "JPY", date(2026, 1, 1), D(3), 7).discounted_total == D(969)


def test_a_discount_outside_0_to_100_or_a_negative_window_is_refused():
    with pytest.raises(ValueError, match="between 0 and 100"):
        early_discount(D("10.00"), "USD", date(2026, 1, 1), D(101), 10)
    with pytest.raises(ValueError, match="window cannot be negative"):
        early_discount(D("10.00"), "USD", date(2026, 1, 1), D(2), -1)


# Lago's payment-term page compares its term types on one invoice dated 10 April 2026
# (https://getlago.com/docs/guide/invoicing/invoicing-settings/payment-term): net 30 is due
# 10 May, end of month + 30 is due 30 May.
def test_lagos_worked_examples_for_an_invoice_of_10_april_2026():
    issued = date(2026, 4, 10)
    assert due_date(issued, TermsKind.NET, 30) == date(2026, 5, 10)
    assert due_date(issued, TermsKind.END_OF_MONTH, 30) == date(2026, 5, 30)
    assert due_date(issued, TermsKind.END_OF_MONTH, 0) == date(2026, 4, 30)


# Zuora's "prox" examples (https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/
# billing-settings-configuration/subscription-and-order-settings/define-payment-terms/
# prox-payment-term-examples): one month on, the payment day of that month, clamped to a
# short month (1 January, "the 30th" → 28 February).
@pytest.mark.parametrize(("issued", "day", "due"), [
    (date(2026, 8, 10), 20, date(2026, 9, 20)),
    (date(2026, 8, 10), 12, date(2026, 9, 12)),
    (date(2027, 1, 1), 30, date(2027, 2, 28)),
    (date(2028, 1, 31), 31, date(2028, 2, 29)),   # leap year
    (date(2026, 12, 5), 10, date(2027, 1, 10)),   # across the year end
    (date(2026, 3, 31), 31, date(2026, 4, 30)),
])
def test_day_n_of_the_next_month_is_clamped_to_a_short_month(issued, day, due):
    terms = TermsSpec(TermsKind.NEXT_MONTH_DAY, days=day)
    assert due_schedule(D("90.00"), "USD", issued, terms) == [Instalment(due, D("90.00"))]


def test_instalments_each_take_their_own_basis():
    # given ERPNext's and Odoo's way of writing terms: 30% on receipt, 70% on the 10th of next
    # month (each payment-term line has its own "due date based on")
    terms = TermsSpec(TermsKind.INSTALMENTS, instalments=(
        InstalmentTerm(D(30), 0), InstalmentTerm(D(70), 10, TermsKind.NEXT_MONTH_DAY)))
    # when an invoice of 1,000.01 is issued on 20 January
    schedule = due_schedule(D("1000.01"), "EUR", date(2026, 1, 20), terms)
    # then the parts add up and each falls on its own basis
    assert schedule == [Instalment(date(2026, 1, 20), D("300.00")),
                        Instalment(date(2026, 2, 10), D("700.01"))]


@pytest.mark.parametrize(("day", "holidays", "moved"), [
    (date(2027, 1, 30), (), date(2027, 2, 1)),              # Saturday → Monday
    (date(2027, 1, 31), (), date(2027, 2, 1)),              # Sunday → Monday
    (date(2027, 2, 1), (), date(2027, 2, 1)),               # a Monday stays
    (date(2026, 12, 25), (date(2026, 12, 25),), date(2026, 12, 28)),  # Friday holiday
    (date(2026, 12, 31), (date(2027, 1, 1),), date(2026, 12, 31)),
])
def test_next_business_day_skips_weekends_and_holidays(day, holidays, moved):
    assert next_business_day(day, holidays) == moved


def test_business_day_terms_move_every_due_date_and_calendar_terms_do_not():
    plan = (InstalmentTerm(D(50), 0), InstalmentTerm(D(50), 60))
    calendar = TermsSpec(TermsKind.INSTALMENTS, instalments=plan)
    business = TermsSpec(TermsKind.INSTALMENTS, instalments=plan, business_days=True)
    issued = date(2026, 12, 26)  # a Saturday; 60 days on is Wednesday 24 February
    assert [i.due_on for i in due_schedule(D("10.00"), "USD", issued, calendar)] == [
        date(2026, 12, 26), date(2027, 2, 24)]
    assert [i.due_on for i in due_schedule(D("10.00"), "USD", issued, business)] == [
        date(2026, 12, 28), date(2027, 2, 24)]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "next_month_day", "days": 0}, "between 1 and 31"),
    ({"kind": "next_month_day", "days": 32}, "between 1 and 31"),
    ({"kind": "instalments", "instalments": (InstalmentTerm(D(100), 40, "next_month_day"),)},
     "Instalment 1: the day of the next month is between 1 and 31"),
    ({"kind": "instalments", "instalments": (InstalmentTerm(D(100), 1, "instalments"),)},
     "Instalment 1: an instalment cannot be due by instalments"),
])
def test_bad_day_of_month_terms_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TermsSpec(**kwargs)


# ---- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(["USD", "JPY", "KWD"])
issue_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@st.composite
def totals(draw, currency):
    units = draw(st.integers(min_value=0, max_value=10**10))
    return (D(units) * quantum(currency)).quantize(quantum(currency))


@st.composite
def plans(draw):
    """Up to 12 instalments whose percents (three places) add up to exactly 100."""
    weights = draw(st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=12))
    cuts = [D(w) * 100000 // sum(weights) for w in weights]
    cuts[0] += 100000 - sum(cuts)
    days = draw(st.lists(st.integers(min_value=0, max_value=400), min_size=len(cuts),
                         max_size=len(cuts)))
    return TermsSpec(TermsKind.INSTALMENTS, instalments=tuple(
        InstalmentTerm(cut / 1000, d) for cut, d in zip(cuts, days, strict=True)))


@given(st.data(), currencies, issue_dates, plans())
def test_instalments_add_up_exactly_and_stay_within_a_unit_of_their_share(data, currency,
                                                                        issued, terms):
    total = data.draw(totals(currency))
    schedule = due_schedule(total, currency, issued, terms)
    assert sum(i.amount for i in schedule) == total
    assert [i.due_on for i in schedule] == sorted(i.due_on for i in schedule)
    shares = sorted(((issued + timedelta(days=t.due_days), total * t.percent / 100)
                    for t in terms.instalments), key=lambda share: share[0])
    for instalment, (due_on, exact) in zip(schedule, shares, strict=True):
        assert instalment.due_on == due_on
        assert abs(instalment.amount - exact) < quantum(currency)
        assert instalment.amount == instalment.amount.quantize(quantum(currency))


@given(st.data(), currencies, issue_dates, st.sampled_from(list(TermsKind)[:2]),
       st.integers(min_value=0, max_value=120))
def test_single_due_dates_carry_the_whole_total_on_or_after_issue(data, currency, issued, kind,
                                                                  days):
    total = data.draw(totals(currency))
    (only,) = due_schedule(total, currency, issued, TermsSpec(kind, days=days))
    assert only.amount == total
    assert issued <= only.due_on <= issued + timedelta(days=days + 30)


@given(st.data(), currencies, issue_dates,
       st.decimals(min_value=0, max_value=100, places=2), st.integers(min_value=0, max_value=60))
def test_the_discounted_total_and_discount_add_up_to_the_total(data, currency, issued,
                                                              percent, days):
    total = data.draw(totals(currency))
    offer = early_discount(total, currency, issued, percent, days)
    assert offer.discount + offer.discounted_total == total
    assert 0 <= offer.discount <= total
    assert abs(offer.discount - total * percent / 100) <= quantum(currency) / 2
    assert (offer.deadline - issued).days == days


@given(issue_dates, st.integers(min_value=1, max_value=31))
def test_day_n_of_next_month_falls_in_the_next_month_on_day_n_or_its_last(issued, day):
    due = due_date(issued, TermsKind.NEXT_MONTH_DAY, day)
    assert (due.year * 12 + due.month) - (issued.year * 12 + issued.month) == 1
    assert due.day == day or (due.day < day and (due + timedelta(days=1)).day == 1)


@given(st.data(), currencies, issue_dates, plans(),
       st.sets(st.dates(min_value=date(2000, 1, 1), max_value=date(2092, 1, 1)), max_size=20))
def test_business_days_never_shorten_terms_and_never_land_on_a_day_off(data, currency, issued,
                                                                      plan, holidays):
    total = data.draw(totals(currency))
    calendar = due_schedule(total, currency, issued, plan)
    business = due_schedule(total, currency, issued,
                            TermsSpec(plan.kind, instalments=plan.instalments,
                                      business_days=True), holidays=holidays)
    assert sum(i.amount for i in business) == total
    assert sorted(i.amount for i in business) == sorted(i.amount for i in calendar)
    for moved, original in zip(business, calendar, strict=True):
        assert moved.due_on >= original.due_on
        assert moved.due_on.weekday() < 5 and moved.due_on not in holidays
        days_off = [original.due_on + timedelta(days=n)
                    for n in range((moved.due_on - original.due_on).days)]
        assert all(d.weekday() >= 5 or d in holidays for d in days_off)
