"""Per-second proration for prices that start and end within a day (issue 17): whole seconds
between aware timestamps, a Decimal ratio of integers, rounded once.

Worked examples: Stripe, "Prorations" (docs.stripe.com/billing/subscriptions/prorations):
"prorations are calculated down to the second"; a day price of $24.00 used from 09:00 to 17:00
earns 8 of 24 hours, $8.00. A day in a zone that springs forward has 23 hours (Berlin,
29 March 2026): half of it is 41,400 seconds."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.proration import prorate_seconds

DAY = datetime(2026, 1, 13, tzinfo=UTC)


def test_eight_hours_of_a_day_price():
    p = prorate_seconds(D("24.00"), "USD", service_start=DAY.replace(hour=9),
                        service_end=DAY.replace(hour=17), period_start=DAY,
                        period_end=DAY + timedelta(days=1))
    assert (p.seconds, p.period_seconds, p.amount) == (28800, 86400, D("8.00"))


def test_a_day_that_springs_forward_has_23_hours():
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, tzinfo=berlin)
    end = datetime(2026, 3, 30, tzinfo=berlin)
    p = prorate_seconds(D("23.00"), "EUR", service_start=start, service_end=end,
                        period_start=start, period_end=end)
    assert (p.period_seconds, p.amount) == (82800, D("23.00"))


def test_a_window_outside_the_period_earns_nothing_and_naive_times_are_refused():
    p = prorate_seconds(D("24.00"), "USD", service_start=DAY - timedelta(hours=5),
                        service_end=DAY - timedelta(hours=1), period_start=DAY,
                        period_end=DAY + timedelta(days=1))
    assert p.amount == D("0.00")
    with pytest.raises(ValueError, match="time zone"):
        prorate_seconds(D(1), "USD", service_start=datetime(2026, 1, 1),
                        service_end=datetime(2026, 1, 2), period_start=datetime(2026, 1, 1),
                        period_end=datetime(2026, 1, 2))


@given(cut=st.integers(0, 86400), amount=st.decimals("0", "100000", places=2),
       currency=st.sampled_from(["USD", "JPY", "KWD"]))
def test_two_pieces_of_a_day_share_its_seconds_and_differ_from_the_whole_by_a_rounding(
        cut, amount, currency):
    end = DAY + timedelta(days=1)
    middle = DAY + timedelta(seconds=cut)
    first = prorate_seconds(amount, currency, service_start=DAY, service_end=middle,
                            period_start=DAY, period_end=end)
    second = prorate_seconds(amount, currency, service_start=middle, service_end=end,
                             period_start=DAY, period_end=end)
    assert first.seconds + second.seconds == first.period_seconds == 86400
    unit = D(1).scaleb(-{"USD": 2, "JPY": 0, "KWD": 3}[currency])
    assert abs(first.amount + second.amount - amount) <= unit
    assert 0 <= first.amount <= amount
