"""The recognition basis as a policy (catalog.revenue_schedule.Basis): by day or by month, the
rounding remainder by largest remainder or to the last period, a mid-month end up to the service
end or as if to the month end. Literal-date worked examples, then properties. No database.

The worked example is IFRS 15 IE Example 18 (paragraphs IE92-IE94): a year of health club access
for CU100 a month is a stand-ready obligation satisfied over time whose progress is measured on
a straight-line basis, CU100 each month. By month, every whole month earns the same whatever its
days; by day, February earns less than January.
"""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.revenue_schedule import (
    BY_DAY,
    BY_MONTH,
    LARGEST_REMAINDER,
    LAST_PERIOD,
    MONTH_END,
    SERVICE_END,
    Basis,
    ratable_schedule,
)
from core.money import quantum
from tests.revrec.test_schedules import services

BY_MONTH_LR = Basis(BY_MONTH, LARGEST_REMAINDER)


def amounts(lines):
    return [line.amount for line in lines]


def test_the_health_club_year_earns_cu100_each_month_by_month():
    # IFRS 15 IE92-IE94: CU1,200 for 12 months from 1 January, straight line
    lines = ratable_schedule(D("1200.00"), "USD", date(2027, 1, 1), date(2028, 1, 1),
                             BY_MONTH_LR)
    assert amounts(lines) == [D("100.00")] * 12


def test_by_day_the_same_year_earns_february_less_than_january():
    lines = ratable_schedule(D("1200.00"), "USD", date(2027, 1, 1), date(2028, 1, 1))
    assert (lines[0].amount, lines[1].amount) == (D("101.92"), D("92.05"))  # 31 and 28 / 365


def test_partial_first_and_last_months_weigh_their_days_over_the_months_days():
    # 12 months of CU100 from 16 January 2027: January 16/31 of a month, January 2028 15/31
    lines = ratable_schedule(D("1200.00"), "USD", date(2027, 1, 16), date(2028, 1, 16),
                             BY_MONTH_LR)
    assert [line.days for line in (lines[0], lines[-1])] == [16, 15]
    assert amounts(lines)[1:-1] == [D("100.00")] * 11
    assert (lines[0].amount, lines[-1].amount) == (D("51.61"), D("48.39"))  # 100 × 16/31, 15/31


def test_the_remainder_goes_to_the_last_period_when_the_policy_says_so():
    # CU100.00 over three whole months: 33.33, 33.33 and the last takes 33.34
    lines = ratable_schedule(D("100.00"), "USD", date(2027, 1, 1), date(2027, 4, 1),
                             Basis(BY_MONTH, LAST_PERIOD))
    assert amounts(lines) == [D("33.33"), D("33.33"), D("33.34")]
    largest = ratable_schedule(D("100.00"), "USD", date(2027, 1, 1), date(2027, 4, 1),
                               BY_MONTH_LR)
    assert amounts(largest) == [D("33.34"), D("33.33"), D("33.33")]  # ties to the earlier


def test_a_service_ending_mid_month_runs_to_the_month_end_under_that_policy():
    # 1 January to 15 February 2027 (exclusive): February has 14 days of service
    to_service_end = ratable_schedule(D("300.00"), "USD", date(2027, 1, 1), date(2027, 2, 15),
                                      BY_MONTH_LR)
    to_month_end = ratable_schedule(D("300.00"), "USD", date(2027, 1, 1), date(2027, 2, 15),
                                    Basis(BY_MONTH, LARGEST_REMAINDER, MONTH_END))
    assert amounts(to_service_end) == [D("200.00"), D("100.00")]  # 1 and 14/28 of a month
    assert amounts(to_month_end) == [D("150.00"), D("150.00")]  # February counted whole
    assert to_month_end[-1].end == date(2027, 2, 15)  # the service itself is unchanged


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="unknown recognition policy"):
        Basis("by_week")


bases = st.builds(Basis, st.sampled_from([BY_DAY, BY_MONTH]),
                  st.sampled_from([LARGEST_REMAINDER, LAST_PERIOD]),
                  st.sampled_from([SERVICE_END, MONTH_END]))


@given(services(), bases)
def test_every_policy_adds_up_exactly_never_negative_and_cumulative_never_falls(service, basis):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end, basis)
    assert sum(amounts(lines)) == amount
    assert all(line.amount >= 0 for line in lines)
    running = [sum(amounts(lines[:n])) for n in range(len(lines) + 1)]
    assert running == sorted(running)
    assert lines[0].start == start and lines[-1].end == end


@given(services(), st.sampled_from([LARGEST_REMAINDER, LAST_PERIOD]))
def test_by_month_whole_months_earn_the_same_within_a_minor_unit(service, remainder):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end, Basis(BY_MONTH, remainder))
    whole = [line.amount for line in lines[:-1]
             if line.start.day == 1 and (line.end - timedelta(days=1)).month == line.start.month
             and line.end.day == 1]
    if whole:
        assert max(whole) - min(whole) <= quantum(currency)


@given(services())
def test_the_last_period_is_never_below_its_exact_share(service):
    currency, amount, start, end = service
    lines = ratable_schedule(amount, currency, start, end, Basis(BY_DAY, LAST_PERIOD))
    total_days = (end - start).days
    assert lines[-1].amount >= amount * lines[-1].days / total_days - D("1E-20")
    assert all(line.amount <= amount * line.days / total_days for line in lines[:-1])
