"""Revenue schedules: literal-date worked examples (leap years, month lengths), then properties.

No database: plain functions over dates and Decimal.
"""

import doctest
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from catalog import revenue_schedule as schedules
from catalog.revenue_schedule import (
    ScheduleLine,
    amend_prospectively,
    point_in_time_schedule,
    ratable_schedule,
    terminate,
)
from core.money import quantum


def rows(lines):
    return [(line.month, line.days, line.amount) for line in lines]


def test_module_docstring_examples_hold():
    assert doctest.testmod(schedules).failed == 0


# ---- ratable ---------------------------------------------------------------------------------

def test_a_calendar_year_earns_each_month_by_its_days():
    lines = ratable_schedule(D("365.00"), "USD", date(2026, 1, 1), date(2027, 1, 1))
    assert [line.amount for line in lines] == [D(n) for n in
                                               (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)]
    assert lines[1] == ScheduleLine(date(2026, 2, 1), date(2026, 2, 1), date(2026, 3, 1),
                                    D("28.00"))


def test_a_leap_year_has_366_days_and_february_29():
    lines = ratable_schedule(D("366.00"), "USD", date(2024, 1, 1), date(2025, 1, 1))
    assert (lines[1].days, lines[1].amount) == (29, D("29.00"))
    assert sum(line.days for line in lines) == 366


def test_a_service_from_mid_month_spreads_over_the_months_it_touches():
    # given three months of service from 15 January 2026 (90 days)
    lines = ratable_schedule(D("900.00"), "USD", date(2026, 1, 15), date(2026, 4, 15))
    # then January has 17 days, February 28, March 31, April 14
    assert rows(lines) == [
        (date(2026, 1, 1), 17, D("170.00")), (date(2026, 2, 1), 28, D("280.00")),
        (date(2026, 3, 1), 31, D("310.00")), (date(2026, 4, 1), 14, D("140.00")),
    ]


def test_odd_minor_units_follow_the_largest_remainders():
    lines = ratable_schedule(D("100.00"), "USD", date(2026, 1, 1), date(2026, 4, 1))
    # 90 days: 31/90 = 34.444, 28/90 = 31.111, 31/90 = 34.444 → the cent to January (earlier)
    assert [line.amount for line in lines] == [D("34.45"), D("31.11"), D("34.44")]


def test_yen_and_dinar_round_to_their_own_units():
    assert [line.amount for line in ratable_schedule(D("1000"), "JPY", date(2026, 1, 1),
                                                     date(2026, 3, 1))] == [D("525"), D("475")]
    assert [line.amount for line in ratable_schedule(D("1.000"), "KWD", date(2026, 1, 1),
                                                     date(2026, 3, 1))] == [D("0.525"),
                                                                            D("0.475")]


def test_point_in_time_recognizes_everything_in_the_fulfilment_month():
    assert point_in_time_schedule(D("5000.00"), "USD", date(2026, 3, 17)) == (
        ScheduleLine(date(2026, 3, 1), date(2026, 3, 17), date(2026, 3, 17), D("5000.00")),)


def test_bad_spans_and_unrounded_amounts_are_refused():
    with pytest.raises(ValueError, match="at least one day"):
        ratable_schedule(D("1.00"), "USD", date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(ValueError, match="not rounded to USD"):
        ratable_schedule(D("1.001"), "USD", date(2026, 1, 1), date(2026, 2, 1))


# ---- amendments ------------------------------------------------------------------------------

YEAR = ratable_schedule(D("1200.00"), "USD", date(2026, 1, 1), date(2027, 1, 1))


def test_an_upsell_from_a_month_start_keeps_the_past_and_spreads_the_rest():
    # given a $1,200 year, $595.07 earned by 1 July (181 days of 365)
    # when $600 is added from 1 July
    amended = amend_prospectively(YEAR, "USD", effective=date(2026, 7, 1), change=D("600.00"))
    # then January to June are untouched and 1,204.93 is spread over the 184 days left:
    # 120,493 cents × 31/184 = 20,300.46 and × 30/184 = 19,645.60; the three cents left go
    # to the 30-day months (.60) and then to July, the earliest of the equal .46 remainders
    assert amended[:6] == YEAR[:6]
    assert sum(line.amount for line in YEAR[:6]) == D("595.07")
    assert [line.amount for line in amended[6:]] == [
        D("203.01"), D("203.00"), D("196.46"), D("203.00"), D("196.46"), D("203.00")]
    assert sum(line.amount for line in amended) == D("1800.00")


def test_an_amendment_mid_month_splits_that_month_by_days():
    amended = amend_prospectively(YEAR, "USD", effective=date(2026, 3, 11), change=D("0.00"))
    # March is 10 days at the old rate and 21 at the new one, in one line
    assert amended[2].start == date(2026, 3, 1) and amended[2].end == date(2026, 4, 1)
    assert amended[:2] == YEAR[:2]
    assert sum(line.amount for line in amended) == D("1200.00")
    assert len(amended) == 12


def test_a_downsell_and_an_extension():
    amended = amend_prospectively(YEAR, "USD", effective=date(2026, 10, 1),
                                  change=D("-100.00"), new_end=date(2027, 4, 1))
    assert amended[:9] == YEAR[:9]
    assert amended[-1].month == date(2027, 3, 1)
    assert sum(line.amount for line in amended) == D("1100.00")


def test_a_change_larger_than_what_is_left_is_refused():
    with pytest.raises(ValueError, match="takes back more than is left to recognize"):
        amend_prospectively(YEAR, "USD", effective=date(2026, 12, 1), change=D("-500.00"))
    with pytest.raises(ValueError, match="outside the service"):
        amend_prospectively(YEAR, "USD", effective=date(2027, 2, 1), change=D("1.00"))
    with pytest.raises(ValueError, match="only a ratable schedule"):
        amend_prospectively(point_in_time_schedule(D(1), "USD", date(2026, 1, 1)), "USD",
                            effective=date(2026, 1, 1), change=D(0))


# ---- termination -----------------------------------------------------------------------------

def test_termination_with_the_prorated_credit_needs_no_true_up():
    # given termination from 1 April: 90 days earned = 295.89, unearned 904.11
    ended = terminate(YEAR, "USD", effective=date(2026, 4, 1), refund=D("904.11"))
    assert ended.true_up == D("0.00")
    assert ended.lines == YEAR[:3]


def test_termination_without_a_refund_recognizes_the_rest_in_the_last_month():
    ended = terminate(YEAR, "USD", effective=date(2026, 4, 16), refund=D("0.00"))
    assert ended.lines[:3] == YEAR[:3]
    april = ended.lines[3]
    assert (april.start, april.end) == (date(2026, 4, 1), date(2026, 4, 16))
    assert sum(line.amount for line in ended.lines) == D("1200.00")
    assert april.amount == ended.true_up + D("49.32")  # 15 of April's 30 days of 98.63


def test_a_refund_above_what_was_left_reverses_revenue_in_the_last_month():
    ended = terminate(YEAR, "USD", effective=date(2026, 4, 1), refund=D("1000.00"))
    assert ended.true_up == D("-95.89")
    assert ended.lines[-1].amount == YEAR[2].amount - D("95.89")
    assert sum(line.amount for line in ended.lines) == D("200.00")


def test_termination_before_service_starts_leaves_only_the_true_up():
    ended = terminate(YEAR, "USD", effective=date(2026, 1, 1), refund=D("1000.00"))
    assert ended.lines == (ScheduleLine(date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1),
                                        D("200.00")),)
    with pytest.raises(ValueError, match="refund must be between 0"):
        terminate(YEAR, "USD", effective=date(2026, 1, 1), refund=D("1200.01"))


# ---- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(["USD", "JPY", "KWD"])
starts = st.dates(min_value=date(1999, 1, 1), max_value=date(2090, 12, 31))


@st.composite
def services(draw):
    currency = draw(currencies)
    start = draw(starts)
    end = start + timedelta(days=draw(st.integers(min_value=1, max_value=1500)))
    units = draw(st.integers(min_value=0, max_value=10**9))
    return currency, (D(units) * quantum(currency)).quantize(quantum(currency)), start, end


@given(services())
def test_ratable_lines_sum_exactly_and_each_month_is_its_days_share(service):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end)
    total_days = (end - start).days
    assert sum(line.amount for line in lines) == amount
    assert sum(line.days for line in lines) == total_days
    assert lines[0].start == start and lines[-1].end == end
    recognized = D(0)
    for before, line in zip((None, *lines), lines, strict=False):
        assert line.month == line.start.replace(day=1)
        assert (line.end - timedelta(days=1)).month == line.month.month
        if before is not None:
            assert before.end == line.start == line.month
        assert abs(line.amount - amount * line.days / total_days) < quantum(currency)
        recognized += line.amount
        assert 0 <= recognized <= amount  # never more than allocated


@given(services(), st.data())
def test_prospective_amendment_keeps_the_past_and_adds_the_change_exactly(service, data):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end)
    effective = start + timedelta(days=data.draw(st.integers(0, (end - start).days - 1)))
    change_units = data.draw(st.integers(min_value=-10**9, max_value=10**9))
    change = (D(change_units) * quantum(currency)).quantize(quantum(currency))
    new_end = end + timedelta(days=data.draw(st.integers(0, 400)))
    at_most_earned = sum((line.amount for line in lines if line.start < effective), D(0))
    assume(amount + change >= at_most_earned)
    amended = amend_prospectively(lines, currency, effective=effective, change=change,
                                  new_end=new_end)
    assert sum(line.amount for line in amended) == amount + change
    assert [line for line in lines if line.month < effective.replace(day=1)] == [
        line for line in amended if line.month < effective.replace(day=1)]
    assert amended[0].start == start and amended[-1].end == new_end
    for before, after in zip(amended, amended[1:], strict=False):
        assert before.end == after.start


@given(services(), st.data())
def test_termination_recognizes_the_total_less_the_refund(service, data):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end)
    effective = start + timedelta(days=data.draw(st.integers(0, (end - start).days)))
    refund = (amount * D(data.draw(st.integers(0, 100))) / 100).quantize(quantum(currency),
                                                                      rounding="ROUND_FLOOR")
    ended = terminate(lines, currency, effective=effective, refund=refund)
    assert sum(line.amount for line in ended.lines) == amount - refund
    assert all(line.end <= max(effective, start) for line in ended.lines)
    assert ended.lines[:-1] == lines[:len(ended.lines) - 1]


# ---- succession and catch-up ---------------------------------------------------------------

def test_a_successor_takes_the_rest_from_the_effective_date():
    split = schedules.succeed(YEAR, "USD", effective=date(2026, 7, 1), change=D("300.00"),
                              end=date(2027, 1, 1))
    assert sum(line.amount for line in split.kept) == sum(
        line.amount for line in YEAR[:6])
    assert split.new[0].start == date(2026, 7, 1)
    assert sum(line.amount for line in split.kept + split.new) == D("1500.00")


def test_months_recognized_stay_and_the_difference_moves_to_the_first_open_month():
    lines = ratable_schedule(D("310.00"), "USD", date(2026, 1, 1), date(2026, 4, 1))
    recognized = {date(2026, 1, 1): D("100.00")}  # January was recognized at a different figure

    caught = schedules.catch_up(lines, "USD", recognized=recognized, first_open=date(2026, 2, 1))

    assert [line.month for line in caught] == [date(2026, 2, 1), date(2026, 3, 1)]
    assert caught[0].amount == lines[1].amount + lines[0].amount - D("100.00")
    assert sum(line.amount for line in caught) + D("100.00") == D("310.00")


def test_a_catch_up_without_an_open_line_gets_a_line_of_its_own():
    lines = ratable_schedule(D("90.00"), "USD", date(2026, 1, 1), date(2026, 2, 1))

    caught = schedules.catch_up(lines, "USD", recognized={date(2026, 1, 1): D("100.00")},
                                first_open=date(2026, 3, 1))

    assert caught == (ScheduleLine(date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 1),
                                   D("-10.00")),)


@given(services(), st.data())
def test_succession_is_the_prospective_amendment_split_in_two(service, data):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end)
    effective = start + timedelta(days=data.draw(st.integers(1, (end - start).days - 1))) \
        if (end - start).days > 1 else start
    change = (D(data.draw(st.integers(0, 10**6))) * quantum(currency)).quantize(quantum(currency))
    split = schedules.succeed(lines, currency, effective=effective, change=change, end=end)
    whole = amend_prospectively(lines, currency, effective=effective, change=change)
    by_month = {}
    for line in split.kept + split.new:
        by_month[line.month] = by_month.get(line.month, D(0)) + line.amount
    assert by_month == {line.month: line.amount for line in whole}
    assert all(line.end <= effective for line in split.kept)
    assert all(line.start >= effective for line in split.new)
