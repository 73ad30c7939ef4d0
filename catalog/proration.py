"""Proration of an amount over part of a billing period: pure, over Decimal and dates; no ORM.

    period_days(period_start, period_end, convention) -> int
    period_fraction(start, end, period_start, period_end, convention) -> Decimal
    prorate(amount, currency, *, service_start, service_end, period_start, period_end,
            convention) -> Proration
    convention_from_setting(value) -> Convention
    prorate_seconds(amount, currency, *, service_start, service_end, period_start,
                    period_end) -> SecondProration
    local_day(moment, zone) -> date;  day_start(day, zone) -> datetime

End dates here are *exclusive*: the first day not billed, so a period "2026-01-01 to
2026-02-01" is January, and a service that ends on 2026-01-20 was billed through the 19th.
(`catalog.charge_schedule` speaks of inclusive last days and converts.)

Day-count convention (`Convention`, recorded on each contract line; the setting
PRORATION_CONVENTION gives the default through `convention_from_setting`):
  ACTUAL       whole calendar days (start day in, end day out): January 31, February 28 or
               29, a year 365 or 366. The default.
  THIRTY_360   30/360 US: every month counts 30 days and a year 360. A date's position in a
               period is its 30/360 US day count from the period start (day 31 counts as 30
               when the start is a 30th or 31st; the last day of February counts as day 30
               when the start is also the last day of February, and a start on February's last
               day counts from day 30), and a window's days are the difference of its two
               positions, so the pieces of a period always add up to the whole period.
The fraction is days used / days in the period: whole days counted from dates, as a `Decimal`
ratio (never a ratio of `timedelta`s). A service window is clipped to its period.

Rounding point (the only one): the prorated amount is `amount × days / period days`, rounded
once to the currency's minor unit by `core.money.round_money` (half away from zero). Every
prorated amount shown to a person carries its `explanation`.

Worked example (a $100.00 monthly line that starts on 13 January):
>>> from datetime import date
>>> from decimal import Decimal as D
>>> p = prorate(D("100.00"), "USD", service_start=date(2026, 1, 13),
...             service_end=date(2026, 2, 1), period_start=date(2026, 1, 1),
...             period_end=date(2026, 2, 1))
>>> p.amount, p.explanation
(Decimal('61.29'), '19 of 31 days × $100.00 = $61.29')
>>> thirty = convention_from_setting("30/360")
>>> prorate(D("100.00"), "USD", service_start=date(2026, 1, 13), service_end=date(2026, 2, 1),
...         period_start=date(2026, 1, 1), period_end=date(2026, 2, 1),
...         convention=thirty).explanation
'18 of 30 days (30/360) × $100.00 = $60.00'
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.formatting import format_rate
from core.money import round_money


class DayCount(StrEnum):
    ACTUAL = "actual"
    THIRTY_360 = "30/360"


@dataclass(frozen=True, slots=True)
class Convention:
    day_count: DayCount = DayCount.ACTUAL

    @property
    def label(self) -> str:
        """Empty for the default; otherwise what an explanation notes, e.g. '30/360'."""
        return "30/360" if self.day_count is DayCount.THIRTY_360 else ""


DEFAULT = Convention()


def convention_from_setting(value: str) -> Convention:
    """Read a setting: "actual" (the default) or "30/360"."""
    text = (value or "").strip().lower().replace(" ", "").replace("thirty_360", "30/360")
    if text not in {d.value for d in DayCount}:
        raise ValueError(f"unknown proration convention {value!r}; use one of "
                         f"{', '.join(d.value for d in DayCount)}")
    return Convention(DayCount(text))


def _is_last_of_february(day: date) -> bool:
    return day.month == 2 and day.day == calendar.monthrange(day.year, 2)[1]


def days_30_360(start: date, end: date) -> int:
    """The 30/360 US day count from `start` to `end` (end excluded)."""
    d1, d2 = start.day, end.day
    if _is_last_of_february(start):
        if _is_last_of_february(end):
            d2 = 30
        d1 = 30
    if d2 == 31 and d1 >= 30:
        d2 = 30
    d1 = min(d1, 30)
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1


def _position(period_start: date, day: date, day_count: DayCount) -> int:
    if day_count is DayCount.ACTUAL:
        return (day - period_start).days
    return days_30_360(period_start, day)


def _check_span(start: date, end: date, what: str) -> None:
    if end < start:
        raise ValueError(f"the {what} ends ({end}) before it starts ({start})")


def period_days(period_start: date, period_end: date, convention: Convention = DEFAULT) -> int:
    """Days in a period under the convention (ACTUAL: calendar days; 30/360: 30 a month)."""
    _check_span(period_start, period_end, "period")
    return _position(period_start, period_end, convention.day_count)


def days_used(start: date, end: date, period_start: date, period_end: date,
              convention: Convention = DEFAULT) -> int:
    """Days of the service window [start, end) that fall inside the period."""
    _check_span(start, end, "service")
    _check_span(period_start, period_end, "period")
    first, last = max(start, period_start), min(end, period_end)
    if last <= first:
        return 0
    day_count = convention.day_count
    return _position(period_start, last, day_count) - _position(period_start, first, day_count)


def period_fraction(start: date, end: date, period_start: date, period_end: date,
                    convention: Convention = DEFAULT) -> Decimal:
    """The share of the period the service window covers: days used / days in the period."""
    total = period_days(period_start, period_end, convention)
    if total == 0:
        raise ValueError("a period must hold at least one day")
    return Decimal(days_used(start, end, period_start, period_end, convention)) / Decimal(total)


@dataclass(frozen=True, slots=True)
class Proration:
    currency: str
    full_amount: Decimal  # the amount for the whole period, as given
    days: int
    period_days: int
    amount: Decimal  # rounded to the currency
    convention: Convention = DEFAULT

    @property
    def fraction(self) -> Decimal:
        return Decimal(self.days) / Decimal(self.period_days)

    @property
    def explanation(self) -> str:
        """What a person reads next to the amount: '19 of 30 days × $100.00 = $63.33'."""
        note = f" ({self.convention.label})" if self.convention.label else ""
        return (f"{self.days} of {self.period_days} days{note} × "
                f"{format_rate(self.full_amount, self.currency)} = "
                f"{format_rate(self.amount, self.currency)}")


def prorate(amount: Decimal, currency: str, *, service_start: date, service_end: date,
            period_start: date, period_end: date, convention: Convention = DEFAULT) -> Proration:
    """The part of a period's amount that the service window earns, rounded once, explained."""
    currency = currency.upper()
    total = period_days(period_start, period_end, convention)
    if total == 0:
        raise ValueError("a period must hold at least one day")
    used = days_used(service_start, service_end, period_start, period_end, convention)
    rounded = round_money(Decimal(amount) * used / total, currency)
    return Proration(currency, Decimal(amount), used, total, rounded, convention)


def bill_date(year: int, month: int, bill_day: int) -> date:
    """The bill day in that month, clamped to the month's end (31 → 28 February)."""
    return date(year, month, min(bill_day, calendar.monthrange(year, month)[1]))




# ---------------------------------------------------------------------------------------------
# Per-second proration, for prices whose service starts and ends within a day (an hourly room,
# a one-day event pass, compute by the hour): whole seconds counted between two aware
# timestamps (end exclusive), as a Decimal ratio of integer seconds, rounded once like `prorate`.
# Stripe prorates "down to the second"; Chargebee's and Lago's day-based proration is `prorate`.
# ---------------------------------------------------------------------------------------------

SECOND = timedelta(seconds=1)


class Granularity(StrEnum):
    """How a price's part periods are counted (chosen per price book entry, kept on the contract
    line): whole days under the line's day-count convention, or whole seconds when the line
    starts or ends at a moment within a day (`catalog.charge_schedule` decides which)."""

    DAY = "day"
    SECOND = "second"

    @property
    def label(self) -> str:
        return {"day": "By day", "second": "By second (within a day)"}[self.value]


def local_day(moment: datetime, zone: str) -> date:
    """The day `moment` belongs to in the time zone `zone` (an IANA name): the account's zone
    decides the day of a change, so 23:30 UTC on 31 January is 1 February in Tokyo."""
    if moment.tzinfo is None:
        raise ValueError("a moment needs its time zone")
    return moment.astimezone(ZoneInfo(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    """Midnight at the start of `day` in the time zone `zone` (aware)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


@dataclass(frozen=True, slots=True)
class SecondProration:
    currency: str
    full_amount: Decimal
    seconds: int
    period_seconds: int
    amount: Decimal

    @property
    def explanation(self) -> str:
        """'28,800 of 86,400 seconds × $24.00 = $8.00'."""
        return (f"{self.seconds:,} of {self.period_seconds:,} seconds × "
                f"{format_rate(self.full_amount, self.currency)} = "
                f"{format_rate(self.amount, self.currency)}")


def _seconds(start: datetime, end: datetime) -> int:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("per-second proration needs timestamps with their time zone")
    # in UTC: Python subtracts two times of the same zone by the wall clock, which would give a
    # day that springs forward 24 hours instead of 23
    return max((end.astimezone(UTC) - start.astimezone(UTC)) // SECOND, 0)


def prorate_seconds(amount: Decimal, currency: str, *, service_start: datetime,
                    service_end: datetime, period_start: datetime,
                    period_end: datetime) -> SecondProration:
    """The part of a period's amount that the service window earns, by whole seconds (the
    window clipped to the period), rounded once, explained.

    >>> from datetime import datetime, timezone
    >>> day = datetime(2026, 1, 13, tzinfo=timezone.utc)
    >>> p = prorate_seconds(Decimal("24.00"), "USD", service_start=day.replace(hour=9),
    ...                     service_end=day.replace(hour=17), period_start=day,
    ...                     period_end=day.replace(day=14))
    >>> p.amount, p.explanation
    (Decimal('8.00'), '28,800 of 86,400 seconds × $24.00 = $8.00')
    """
    total = _seconds(period_start, period_end)
    if total == 0:
        raise ValueError("a period must hold at least one second")
    used = _seconds(max(service_start, period_start), min(service_end, period_end))
    currency = currency.upper()
    rounded = round_money(Decimal(amount) * used / total, currency)
    return SecondProration(currency, Decimal(amount), used, total, rounded)
