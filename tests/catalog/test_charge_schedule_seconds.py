"""A line priced by the second that starts or stops within a day (issue 17): its part period is
prorated by whole seconds over the whole aligned period, counted between the local midnights of
the account's time zone, which also decides the day a moment belongs to.

Worked examples:
- Stripe, "Customize subscription proration calculations" (docs.stripe.com/billing/scripts/
  prorations): "With the standard proration logic, Stripe calculates proration down to the
  second based on the starting timestamp of the billing period". Its "Prorations" page
  (docs.stripe.com/billing/subscriptions/prorations) upgrades a 10 USD monthly plan to a 20 USD
  one halfway through the period: 5 USD for the old plan's half, 10 USD for the new one's.
  Halfway through January (31 days) is noon on the 16th: by the second the halves are exact.
- A monthly price of $310.00 in January ($10.00 a day) started at noon on 13 January serves
  18.5 days: 1,598,400 of 2,678,400 seconds, $185.00; priced by day (Zuora's charge-level
  Proration "TimeBased", docs.zuora.com "Usage charge proration": "prorate ... using the actual
  number of days") the same line charges 19 of 31 days, $190.00.
- An hourly room on a monthly price of $744.00 (744 hours in January, $1.00 an hour) booked
  09:00-17:00 on one day earns 8 hours, $8.00.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from catalog.charge_schedule import LineTerms, charge_schedule
from catalog.proration import Granularity, day_start, local_day

NEW_YORK = "America/New_York"


def terms(amount="310.00", start=date(2026, 1, 13), end=date(2026, 3, 31), **kwargs):
    return LineTerms("USD", kwargs.pop("period", "monthly"), D(amount), start, end, **kwargs)


def at(day: date, hour: int, minute: int = 0, zone: str = NEW_YORK) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def test_stripe_a_line_started_at_noon_is_charged_18_and_a_half_of_31_days():
    first, *rest = charge_schedule(terms(granularity=Granularity.SECOND,
                                         starts_at=at(date(2026, 1, 13), 12),
                                         time_zone=NEW_YORK))
    assert (first.seconds, first.period_seconds, first.amount) == (1_598_400, 2_678_400,
                                                                 D("185.00"))
    assert (first.days, first.period_days) == (None, None)
    assert first.explanation == "1,598,400 of 2,678,400 seconds × $310.00 = $185.00"
    assert [c.amount for c in rest] == [D("310.00"), D("310.00")]  # whole periods as ever


def test_stripe_an_upgrade_halfway_through_january_charges_half_of_each_price():
    noon = datetime(2026, 1, 16, 12, tzinfo=UTC)
    (old,) = charge_schedule(terms("10.00", date(2026, 1, 1), date(2026, 1, 16),
                                   granularity="second", ends_at=noon))
    (new,) = charge_schedule(terms("20.00", date(2026, 1, 16), date(2026, 1, 31),
                                   granularity="second", starts_at=noon))
    assert (old.amount, new.amount) == (D("5.00"), D("10.00"))
    assert old.seconds == new.seconds == old.period_seconds // 2


def test_the_same_line_priced_by_day_charges_19_of_31_days_whatever_its_moment():
    first = charge_schedule(terms(starts_at=at(date(2026, 1, 13), 12), time_zone=NEW_YORK))[0]
    assert (first.days, first.period_days, first.amount, first.seconds) == (19, 31, D("190.00"),
                                                                          None)


def test_an_hourly_room_booked_from_nine_to_five_earns_eight_of_744_hours():
    day = date(2026, 1, 13)
    (charge,) = charge_schedule(terms("744.00", day, day, granularity=Granularity.SECOND,
                                      starts_at=at(day, 9), ends_at=at(day, 17),
                                      time_zone=NEW_YORK))
    assert (charge.seconds, charge.period_seconds, charge.amount) == (28_800, 2_678_400,
                                                                    D("8.00"))
    assert (charge.period_start, charge.period_end) == (day, day)


def test_the_accounts_time_zone_decides_the_day_of_a_moment():
    # 23:30 UTC on 31 January is 08:30 on 1 February in Tokyo: a Tokyo account's line starts in
    # February, and its first day must be 1 February
    moment = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert local_day(moment, "Asia/Tokyo") == date(2026, 2, 1)
    with pytest.raises(ValueError, match="not on its first day 2026-01-31 in Asia/Tokyo"):
        charge_schedule(terms(start=date(2026, 1, 31), granularity=Granularity.SECOND,
                              starts_at=moment, time_zone="Asia/Tokyo"))
    first = charge_schedule(terms("280.00", start=date(2026, 2, 1), granularity="second",
                                  starts_at=moment, time_zone="Asia/Tokyo"))[0]
    # February has 28 days; 8.5 hours of its first day are not served
    assert (first.period_start, first.period_seconds) == (date(2026, 2, 1), 28 * 86_400)
    assert first.seconds == 28 * 86_400 - 30_600
    assert first.amount == D("276.46")  # 280 × 2,388,600 / 2,419,200 = 276.458...


def test_a_month_that_springs_forward_has_an_hour_less():
    # Berlin, March 2026: the clocks go forward on the 29th, so the month has 743 hours
    berlin = "Europe/Berlin"
    first = charge_schedule(terms("743.00", start=date(2026, 3, 2), end=date(2026, 4, 30),
                                  granularity="second", starts_at=at(date(2026, 3, 2), 0, 0,
                                                                      berlin) + timedelta(hours=1),
                                  time_zone=berlin))[0]
    assert first.period_seconds == 743 * 3600
    assert first.amount == D("742.00") - D("24.00")  # one hour and the 1st not served


def test_a_part_period_without_a_moment_is_counted_by_days_and_a_term_is_never_prorated():
    by_second = terms(granularity="second", starts_at=at(date(2026, 1, 13), 12),
                      end=date(2026, 3, 15), time_zone=NEW_YORK)
    last = charge_schedule(by_second)[-1]
    assert (last.days, last.period_days, last.seconds) == (15, 31, None)
    (whole,) = charge_schedule(terms(period="term", granularity="second",
                                     starts_at=at(date(2026, 1, 13), 12), time_zone=NEW_YORK))
    assert (whole.amount, whole.seconds, whole.days) == (D("310.00"), None, None)


def test_a_line_that_stops_at_midnight_or_before_it_starts_is_refused():
    day = date(2026, 1, 13)
    with pytest.raises(ValueError, match="not within its last day"):
        charge_schedule(terms(start=day, end=day, granularity="second",
                              ends_at=day_start(day + timedelta(days=1), NEW_YORK),
                              time_zone=NEW_YORK))
    with pytest.raises(ValueError, match="stops before it starts"):
        charge_schedule(terms(start=day, end=day, granularity="second", starts_at=at(day, 17),
                              ends_at=at(day, 9), time_zone=NEW_YORK))


ZONES = ["UTC", NEW_YORK, "Europe/Berlin", "Asia/Tokyo", "Asia/Kolkata"]


@given(zone=st.sampled_from(ZONES), month=st.integers(1, 12), offset=st.integers(1, 31 * 86_400),
       amount=st.decimals("0", "100000", places=2), currency=st.sampled_from(["USD", "JPY", "KWD"]))
def test_the_two_parts_of_a_period_cut_at_a_moment_add_up_to_the_whole(zone, month, offset,
                                                                       amount, currency):
    # given a month in the account's zone, cut at a moment within a day
    first_day = date(2026, month, 1)
    next_first = date(2026 + month // 12, month % 12 + 1, 1)
    start, end = day_start(first_day, zone), day_start(next_first, zone)
    moment = (start.astimezone(UTC) + timedelta(seconds=offset)).astimezone(ZoneInfo(zone))
    assume(moment < end and moment != day_start(local_day(moment, zone), zone))
    cut_day = local_day(moment, zone)
    last_day = next_first - timedelta(days=1)
    # when one line serves up to the moment and another from it
    before = charge_schedule(LineTerms(currency, "monthly", amount, first_day, cut_day,
                                       granularity="second", ends_at=moment, time_zone=zone))
    after = charge_schedule(LineTerms(currency, "monthly", amount, cut_day, last_day,
                                      granularity="second", starts_at=moment, time_zone=zone))
    # then their seconds are the period's, and their amounts the whole within one minor unit
    (part_1,), (part_2,) = before, after
    assert part_1.period_seconds == part_2.period_seconds == (end - start) // timedelta(seconds=1)
    assert part_1.seconds + part_2.seconds == part_1.period_seconds
    unit = D(1).scaleb(-{"USD": 2, "JPY": 0, "KWD": 3}[currency])
    assert abs(part_1.amount + part_2.amount - amount) <= unit
    assert part_1.amount >= 0 and part_2.amount >= 0


def test_ending_at_a_moment_splits_the_row_holding_it_by_seconds_and_explains_itself():
    """Stripe's upgrade halfway through (docs.stripe.com/billing/subscriptions/prorations,
    counted "down to the second", docs.stripe.com/billing/scripts/prorations): a $310.00 January
    row billed in advance, the line stopping at noon on 16 January in New York, is credited
    1,339,200 of 2,678,400 seconds, $155.00; a February row no invoice holds ends whole; the
    January row not billed yet would be shortened to the moment instead, keeping $155.00."""
    from dataclasses import replace

    from catalog.charge_schedule import Piece, Row, end_early, explain
    from catalog.proration import SecondProration

    # given
    noon = at(date(2026, 1, 16), 12)
    rows = [Row(1, "recurring", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 1),
                D("310.00"), True),
            Row(2, "recurring", date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 1),
                D("280.00"), False)]

    # when
    ending = end_early(rows, last_day=date(2026, 1, 16), at=noon, time_zone=NEW_YORK,
                       currency="USD")

    # then
    assert ending.ended == (2,)
    [(about, credit)] = ending.added
    assert (about, credit.kind, credit.amount, credit.seconds, credit.period_seconds) == (
        1, "credit", D("-155.00"), 1_339_200, 2_678_400)
    assert (credit.period_start, credit.due_on) == (date(2026, 1, 16), date(2026, 1, 16))
    assert credit.explanation == ("Credit for 1,339,200 seconds not served: −$155.00 of "
                                  "$310.00")
    unbilled = end_early([replace(rows[0], billed=False)], last_day=date(2026, 1, 16),
                         at=noon, time_zone=NEW_YORK, currency="USD")
    [(_, kept)] = unbilled.added
    assert (unbilled.ended, kept.period_end, kept.amount, kept.explanation) == (
        (1,), date(2026, 1, 16), D("155.00"),
        "1,339,200 of 2,678,400 seconds × $310.00 = $155.00")
    # a moment on another day than the last day is refused
    with pytest.raises(ValueError, match="not within"):
        end_early(rows, last_day=date(2026, 1, 15), at=noon, time_zone=NEW_YORK,
                  currency="USD")
    # a piece counted by the second words itself, as one counted by days does
    piece = Piece(D("155.00"), D("310.00"), seconds=1_339_200, period_seconds=2_678_400)
    assert explain([piece, Piece(D("310.00"), D("310.00"))], "USD") == (
        "1,339,200 of 2,678,400 seconds × $310.00 = $155.00 + 1 period × $310.00 = $465.00")
    assert explain([piece], "USD") == SecondProration(
        "USD", D("310.00"), 1_339_200, 2_678_400, D("155.00")).explanation
