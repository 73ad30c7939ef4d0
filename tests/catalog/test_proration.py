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
    BillingSlice,
    Convention,
    DayCount,
    billing_periods,
    convention_from_setting,
    days_30_360,
    format_amount,
    period_days,
    period_fraction,
    prorate,
)
from core.money import quantum

ACTUAL = Convention()
ACTUAL_INCLUSIVE = Convention(bill_last_day=True)
THIRTY = Convention(DayCount.THIRTY_360)
THIRTY_INCLUSIVE = Convention(DayCount.THIRTY_360, bill_last_day=True)
CONVENTIONS = [ACTUAL, ACTUAL_INCLUSIVE, THIRTY, THIRTY_INCLUSIVE]


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
    assert period_days(start, end - timedelta(days=1), ACTUAL_INCLUSIVE) == days


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
    assert period_days(date(2026, 2, 1), date(2026, 2, 28), THIRTY_INCLUSIVE) == 30
    assert period_days(date(2026, 1, 1), date(2026, 12, 31), THIRTY_INCLUSIVE) == 360


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


def test_billing_the_last_day_reads_end_dates_as_inclusive():
    p = prorate(D("310.00"), "USD", service_start=date(2026, 1, 1),
                service_end=date(2026, 1, 20), period_start=date(2026, 1, 1),
                period_end=date(2026, 1, 31), convention=ACTUAL_INCLUSIVE)
    assert (p.days, p.period_days, p.amount) == (20, 31, D("200.00"))
    assert p.explanation == "20 of 31 days (last day billed) × $310.00 = $200.00"


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
    from core.templatetags.money import SYMBOLS, money

    assert proration.SYMBOLS == SYMBOLS
    for currency, amount in [("USD", D("1234.50")), ("JPY", D("-1500")), ("KWD", D("2.125")),
                             ("CHF", D("10.00")), ("GBP", D("0.00"))]:
        assert format_amount(amount, currency) == money(amount, currency)


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
    ("actual+last_day", ACTUAL_INCLUSIVE),
    ("actual+inclusive", ACTUAL_INCLUSIVE),
    ("30/360", THIRTY),
    ("thirty_360", THIRTY),
    (" 30/360 + last_day ", THIRTY_INCLUSIVE),
])
def test_convention_from_setting(value, expected):
    assert convention_from_setting(value) == expected
    assert convention_from_setting(expected.setting) == expected


@pytest.mark.parametrize("value", ["", "actual/365", "30/360+first_day", "act"])
def test_unknown_setting_names_the_values_it_accepts(value):
    with pytest.raises(ValueError, match=r"use one of actual, actual\+last_day, 30/360"):
        convention_from_setting(value)


# ---- billing periods aligned to a bill day ---------------------------------------------------

def spans(slices):
    return [(s.start, s.end, s.period_start, s.period_end, s.leading_partial,
             s.trailing_partial) for s in slices]


def test_monthly_on_bill_day_1_with_leading_and_trailing_partials():
    got = list(billing_periods(date(2026, 1, 13), date(2026, 4, 20), 1, bill_day=1))
    assert spans(got) == [
        (date(2026, 1, 13), date(2026, 2, 1), date(2026, 1, 1), date(2026, 2, 1), True, False),
        (date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 1), date(2026, 3, 1), False, False),
        (date(2026, 3, 1), date(2026, 4, 1), date(2026, 3, 1), date(2026, 4, 1), False, False),
        (date(2026, 4, 1), date(2026, 4, 20), date(2026, 4, 1), date(2026, 5, 1), False, True),
    ]
    assert [s.partial for s in got] == [True, False, False, True]


def test_bill_day_31_clamps_to_short_months_without_drifting():
    got = list(billing_periods(date(2024, 1, 31), date(2024, 5, 31), 1, bill_day=31))
    assert [(s.start, s.end) for s in got] == [
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2024, 2, 29), date(2024, 3, 31)),
        (date(2024, 3, 31), date(2024, 4, 30)),
        (date(2024, 4, 30), date(2024, 5, 31)),
    ]
    assert not any(s.partial for s in got)


def test_quarterly_leading_partial_prorates_over_the_quarter_that_ends_on_the_bill_day():
    got = list(billing_periods(date(2026, 2, 10), date(2027, 2, 15), 3, bill_day=15))
    assert spans(got)[0] == (date(2026, 2, 10), date(2026, 2, 15), date(2025, 11, 15),
                             date(2026, 2, 15), True, False)
    assert [(s.start, s.end) for s in got[1:]] == [
        (date(2026, 2, 15), date(2026, 5, 15)), (date(2026, 5, 15), date(2026, 8, 15)),
        (date(2026, 8, 15), date(2026, 11, 15)), (date(2026, 11, 15), date(2027, 2, 15)),
    ]
    first = prorate(D("900.00"), "USD", service_start=got[0].start, service_end=got[0].end,
                    period_start=got[0].period_start, period_end=got[0].period_end)
    assert first.explanation == "5 of 92 days × $900.00 = $48.91"


def test_a_term_inside_one_period_is_partial_at_both_ends():
    got = list(billing_periods(date(2026, 3, 5), date(2026, 3, 20), 1, bill_day=1))
    assert spans(got) == [(date(2026, 3, 5), date(2026, 3, 20), date(2026, 3, 1),
                           date(2026, 4, 1), True, True)]


def test_inclusive_convention_writes_period_ends_as_the_last_day_billed():
    got = list(billing_periods(date(2026, 1, 13), date(2026, 2, 28), 1, bill_day=1,
                               convention=ACTUAL_INCLUSIVE))
    assert spans(got) == [
        (date(2026, 1, 13), date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31), True, False),
        (date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28), False, False),
    ]
    p = prorate(D("31.00"), "USD", service_start=got[0].start, service_end=got[0].end,
                period_start=got[0].period_start, period_end=got[0].period_end,
                convention=ACTUAL_INCLUSIVE)
    assert p.days == 19


def test_an_empty_term_has_no_periods_and_bad_arguments_are_refused():
    assert list(billing_periods(date(2026, 1, 1), date(2026, 1, 1), 1, bill_day=1)) == []
    with pytest.raises(ValueError, match="bill day"):
        list(billing_periods(date(2026, 1, 1), date(2026, 2, 1), 1, bill_day=32))
    with pytest.raises(ValueError, match="at least one month"):
        list(billing_periods(date(2026, 1, 1), date(2026, 2, 1), 0, bill_day=1))
    with pytest.raises(ValueError, match="the term ends"):
        list(billing_periods(date(2026, 2, 1), date(2026, 1, 1), 1, bill_day=1))


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
    return convention, start, convention.written_end(end)


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
    exclusive = convention.exclusive_end(end)
    total = period_days(start, end, convention)
    assume(total > 0)
    length = (exclusive - start).days
    cuts = sorted({start + timedelta(days=o % length) for o in offsets} - {start})
    bounds = [start, *cuts, exclusive]
    # when each piece is counted
    pieces = [(a, convention.written_end(b)) for a, b in zip(bounds, bounds[1:], strict=False)]
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


@given(days_, st.integers(min_value=1, max_value=1200), st.sampled_from([1, 3, 6, 12]),
       st.integers(min_value=1, max_value=31), conventions)
def test_billing_periods_tile_the_term_on_bill_days(start, length, months, bill_day,
                                                    convention):
    end = start + timedelta(days=length)
    got = list(billing_periods(start, convention.written_end(end), months, bill_day,
                               convention=convention))
    exclusive = [BillingSlice(s.start, convention.exclusive_end(s.end), s.period_start,
                              convention.exclusive_end(s.period_end)) for s in got]
    assert exclusive[0].start == start
    assert exclusive[-1].end == end
    for a, b in zip(exclusive, exclusive[1:], strict=False):
        assert a.end == b.start == b.period_start == a.period_end
    for s, raw in zip(exclusive, got, strict=True):
        assert s.period_start <= s.start < s.end <= s.period_end
        assert raw.leading_partial == (s.start > s.period_start)
        assert raw.trailing_partial == (s.end < s.period_end)
        for day in (s.period_start, s.period_end):
            assert day.day == min(bill_day, proration.bill_date(day.year, day.month, 31).day)
    assert all(not s.partial for s in got[1:-1])


@given(st.integers(min_value=2000, max_value=2090), st.integers(min_value=1, max_value=12),
       st.integers(min_value=1, max_value=36), st.integers(min_value=1, max_value=31))
def test_a_term_that_starts_and_ends_on_bill_days_bills_whole_periods(year, month, count,
                                                                       bill_day):
    start = proration.bill_date(year, month, bill_day)
    end = proration._boundary(start, bill_day, count)
    got = list(billing_periods(start, end, 1, bill_day))
    assert len(got) == count
    total = sum(prorate(D("100.00"), "USD", service_start=s.start, service_end=s.end,
                        period_start=s.period_start, period_end=s.period_end).amount
                for s in got)
    assert total == D("100.00") * count
