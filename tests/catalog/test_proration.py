"""Proration: literal-date worked examples (as Kill Bill's TestInvoiceDateUtils), then properties.

No database: plain functions over dates and Decimal.
"""

import doctest
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from catalog import proration
from catalog.proration import (
    Convention,
    DayCount,
    convention_from_setting,
    days_30_360,
    period_days,
    period_fraction,
    prorate,
)
from core.formatting import format_rate
from core.money import quantum

ACTUAL = Convention()
THIRTY = Convention(DayCount.THIRTY_360)
CONVENTIONS = [ACTUAL, THIRTY]


def test_module_docstring_examples_hold():
    assert doctest.testmod(proration).failed == 0


# ---- day counts ------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "days"), [
    (date(2026, 1, 1), date(2026, 2, 1), 31),
    (date(2026, 2, 1), date(2026, 3, 1), 28),
    (date(2024, 2, 1), date(2024, 3, 1), 29),   # leap February
    (date(2026, 4, 1), date(2026, 5, 1), 30),
    (date(2026, 1, 1), date(2027, 1, 1), 365),
    (date(2024, 1, 1), date(2025, 1, 1), 366),  # leap year
    (date(2026, 1, 15), date(2026, 2, 15), 31),
    (date(2026, 2, 15), date(2026, 3, 15), 28),
])
def test_actual_counts_calendar_days_start_in_end_out(start, end, days):
    assert period_days(start, end, ACTUAL) == days


@pytest.mark.parametrize(("start", "end", "days"), [
    (date(2026, 1, 1), date(2026, 2, 1), 30),
    (date(2026, 2, 1), date(2026, 3, 1), 30),
    (date(2026, 1, 1), date(2027, 1, 1), 360),
    (date(2024, 1, 1), date(2025, 1, 1), 360),
    (date(2026, 1, 31), date(2026, 3, 31), 60),   # both 31sts count as the 30th
    (date(2026, 1, 15), date(2026, 1, 31), 16),   # a 31st after a 15th stays the 31st
    (date(2026, 1, 30), date(2026, 1, 31), 0),    # ... but not after a 30th
    (date(2026, 2, 28), date(2026, 3, 31), 30),   # February's last day counts as the 30th
    (date(2024, 2, 29), date(2025, 2, 28), 360),  # last day of February to last day of February
    (date(2024, 2, 28), date(2024, 3, 1), 3),     # not February's last day in a leap year
])
def test_30_360_us_day_count(start, end, days):
    assert days_30_360(start, end) == days


def test_30_360_counts_every_whole_month_as_30_days_in_a_period():
    assert period_days(date(2026, 2, 1), date(2026, 3, 1), THIRTY) == 30
    assert period_days(date(2026, 1, 1), date(2027, 1, 1), THIRTY) == 360


# ---- prorate: worked examples ----------------------------------------------------------------

def test_the_explanation_a_person_reads():
    # given a $100.00 monthly price and a service that starts on 12 April (30 days)
    p = prorate(D("100.00"), "USD", service_start=date(2026, 4, 12),
                service_end=date(2026, 5, 1), period_start=date(2026, 4, 1),
                period_end=date(2026, 5, 1))
    # then 19 days of 30 are billed, rounded once
    assert (p.days, p.period_days, p.amount) == (19, 30, D("63.33"))
    assert p.explanation == "19 of 30 days × $100.00 = $63.33"
    assert p.fraction == D(19) / D(30)


def test_start_day_included_end_day_excluded_by_default():
    p = prorate(D("310.00"), "USD", service_start=date(2026, 1, 1),
                service_end=date(2026, 1, 20), period_start=date(2026, 1, 1),
                period_end=date(2026, 2, 1))
    assert (p.days, p.amount) == (19, D("190.00"))  # 1..19 January; the 20th is not billed


def test_leap_february_prorates_over_29_days():
    p = prorate(D("29.00"), "USD", service_start=date(2024, 2, 15),
                service_end=date(2024, 3, 1), period_start=date(2024, 2, 1),
                period_end=date(2024, 3, 1))
    assert (p.days, p.period_days, p.amount) == (15, 29, D("15.00"))


def test_annual_period_across_a_leap_day():
    p = prorate(D("3660.00"), "USD", service_start=date(2024, 7, 1),
                service_end=date(2025, 1, 1), period_start=date(2024, 1, 1),
                period_end=date(2025, 1, 1))
    assert (p.days, p.period_days, p.amount) == (184, 366, D("1840.00"))


def test_30_360_prorates_february_over_30_days():
    p = prorate(D("300.00"), "USD", service_start=date(2026, 2, 15),
                service_end=date(2026, 3, 1), period_start=date(2026, 2, 1),
                period_end=date(2026, 3, 1), convention=THIRTY)
    assert (p.days, p.period_days, p.amount) == (16, 30, D("160.00"))
    assert p.explanation == "16 of 30 days (30/360) × $300.00 = $160.00"


def test_service_window_is_clipped_to_the_period():
    p = prorate(D("100.00"), "USD", service_start=date(2025, 12, 1),
                service_end=date(2026, 1, 11), period_start=date(2026, 1, 1),
                period_end=date(2026, 2, 1))
    assert p.days == 10
    outside = prorate(D("100.00"), "USD", service_start=date(2026, 3, 1),
                      service_end=date(2026, 4, 1), period_start=date(2026, 1, 1),
                      period_end=date(2026, 2, 1))
    assert (outside.days, outside.amount) == (0, D("0.00"))


def test_credits_round_as_the_mirror_of_charges():
    p = prorate(D("-100.00"), "USD", service_start=date(2026, 4, 12),
                service_end=date(2026, 5, 1), period_start=date(2026, 4, 1),
                period_end=date(2026, 5, 1))
    assert p.amount == D("-63.33")
    assert p.explanation == "19 of 30 days × -$100.00 = -$63.33"


@pytest.mark.parametrize(("currency", "amount", "expected", "text"), [
    ("JPY", D("10000"), D("6333"), "19 of 30 days × ¥10,000 = ¥6,333"),
    ("KWD", D("100.000"), D("63.333"), "19 of 30 days × 100.000 KWD = 63.333 KWD"),
    ("EUR", D("1234.5"), D("781.85"), "19 of 30 days × €1,234.50 = €781.85"),
    ("USD", D("99.995"), D("63.33"), "19 of 30 days × $99.995 = $63.33"),  # rate's places kept
])
def test_each_currency_rounds_and_shows_its_own_minor_unit(currency, amount, expected, text):
    p = prorate(amount, currency.lower(), service_start=date(2026, 4, 12),
                service_end=date(2026, 5, 1), period_start=date(2026, 4, 1),
                period_end=date(2026, 5, 1))
    assert p.amount == expected
    assert p.explanation == text


def test_amounts_read_as_the_money_filter_shows_them():
    from core.templatetags.money import money

    for currency, amount in [("USD", D("1234.50")), ("JPY", D("-1500")), ("KWD", D("2.125")),
                             ("CHF", D("10.00")), ("GBP", D("0.00"))]:
        assert format_rate(amount, currency) == money(amount, currency)


def test_bad_spans_are_refused():
    with pytest.raises(ValueError, match="the period ends"):
        period_days(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValueError, match="the service ends"):
        period_fraction(date(2026, 1, 5), date(2026, 1, 4), date(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(ValueError, match="at least one day"):
        prorate(D(1), "USD", service_start=date(2026, 1, 1), service_end=date(2026, 1, 1),
                period_start=date(2026, 1, 1), period_end=date(2026, 1, 1))


# ---- the setting -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("actual", ACTUAL),
    ("ACTUAL", ACTUAL),
    ("30/360", THIRTY),
    ("thirty_360", THIRTY),
    (" 30/360 ", THIRTY),
])
def test_convention_from_setting(value, expected):
    assert convention_from_setting(value) == expected
    assert convention_from_setting(expected.day_count.value) == expected


@pytest.mark.parametrize("value", ["", "actual/365", "actual+last_day", "30/360+last_day",
                                   "act"])
def test_unknown_setting_names_the_values_it_accepts(value):
    # "+last_day" changed the wording and no amount (review 2026-12): it is refused now
    with pytest.raises(ValueError, match=r"use one of actual, 30/360"):
        convention_from_setting(value)


# ---- properties ------------------------------------------------------------------------------

days_ = st.dates(min_value=date(1999, 1, 1), max_value=date(2099, 12, 31))
conventions = st.sampled_from(CONVENTIONS)
currencies = st.sampled_from(["USD", "JPY", "KWD", "EUR"])
amounts = st.decimals(min_value=D("-100000"), max_value=D("100000"), places=3)


@st.composite
def periods(draw):
    """A period of 1 to 800 days written under a convention."""
    convention = draw(conventions)
    start = draw(days_)
    end = start + timedelta(days=draw(st.integers(min_value=1, max_value=800)))
    return convention, start, end


@given(periods(), amounts, currencies)
def test_prorating_the_full_period_gives_the_amount(period, amount, currency):
    convention, start, end = period
    assume(period_days(start, end, convention) > 0)
    p = prorate(amount, currency, service_start=start, service_end=end, period_start=start,
                period_end=end, convention=convention)
    assert p.fraction == 1
    assert p.amount == amount.quantize(quantum(currency), rounding="ROUND_HALF_UP")


@given(periods(), st.lists(st.integers(min_value=0, max_value=800), max_size=4), amounts)
def test_adjacent_pieces_of_a_period_add_up_to_the_whole(period, offsets, amount):
    # given a period cut into adjacent pieces at any days inside it
    convention, start, end = period
    exclusive = end
    total = period_days(start, end, convention)
    assume(total > 0)
    length = (exclusive - start).days
    cuts = sorted({start + timedelta(days=o % length) for o in offsets} - {start})
    bounds = [start, *cuts, exclusive]
    # when each piece is counted
    pieces = list(zip(bounds, bounds[1:], strict=False))
    days = [proration.days_used(a, b, start, end, convention) for a, b in pieces]
    fractions = [period_fraction(a, b, start, end, convention) for a, b in pieces]
    amounts_ = [prorate(amount, "USD", service_start=a, service_end=b, period_start=start,
                        period_end=end, convention=convention).amount for a, b in pieces]
    # then the days add up exactly, the fractions to one before rounding, and the rounded
    # amounts to the whole within half a cent per piece
    assert all(d >= 0 for d in days)
    assert sum(days) == total
    assert abs(sum(fractions) - 1) < D("1e-25")
    assert abs(sum(amounts_) - amount) <= D("0.005") * len(pieces)
