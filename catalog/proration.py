"""Proration of an amount over part of a billing period: pure, over Decimal and dates; no ORM.

    period_days(period_start, period_end, convention) -> int
    period_fraction(start, end, period_start, period_end, convention) -> Decimal
    prorate(amount, currency, *, service_start, service_end, period_start, period_end,
            convention) -> Proration
    billing_periods(anchor_start, term_end, period_months, bill_day, convention)
        -> Iterator[BillingSlice]
    convention_from_setting(value) -> Convention

Day-count convention (`Convention`, chosen by a setting through `convention_from_setting`):
- How end dates are read. By default an end date is *exclusive*: it is the first day not
  billed, so a period "2026-01-01 to 2026-02-01" is January, and a service that ends on
  2026-01-20 was billed through the 19th. With `bill_last_day=True` an end date is *inclusive*:
  it is the last day billed ("2026-01-01 to 2026-01-31" is January). Every end date this
  module takes or returns is read the same way, so a `BillingSlice` goes straight to `prorate`.
- How days are counted (`DayCount`):
  ACTUAL       whole calendar days (start day in, end day out): January 31, February 28 or
               29, a year 365 or 366. The default.
  THIRTY_360   30/360 US: every month counts 30 days and a year 360. A date's position in a
               period is its 30/360 US day count from the period start (day 31 counts as 30
               when the start is a 30th or 31st; the last day of February counts as day 30
               when the start is also the last day of February, and a start on February's last
               day counts from day 30), and a window's days are the difference of its two
               positions, so the pieces of a period always add up to the whole period.
- The fraction is days used / days in the period: whole days counted from dates, as a
  `Decimal` ratio (never a ratio of `timedelta`s). A service window is clipped to its period.

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
>>> [(s.start, s.end, s.leading_partial) for s in billing_periods(
...     date(2026, 1, 13), date(2026, 4, 1), 1, bill_day=1)]  # doctest: +NORMALIZE_WHITESPACE
[(datetime.date(2026, 1, 13), datetime.date(2026, 2, 1), True),
 (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), False),
 (datetime.date(2026, 3, 1), datetime.date(2026, 4, 1), False)]
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.dates import add_months
from core.money import minor_units, round_money

ONE_DAY = timedelta(days=1)

# The symbols the `money` template filter shows (core/templatetags/money.py); a test keeps the
# two in step. This module may not import Django's formatting, so it writes the text itself.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


class DayCount(StrEnum):
    ACTUAL = "actual"
    THIRTY_360 = "30/360"


@dataclass(frozen=True, slots=True)
class Convention:
    day_count: DayCount = DayCount.ACTUAL
    bill_last_day: bool = False  # end dates are inclusive: the end date itself is billed

    def exclusive_end(self, end: date) -> date:
        """The first day not billed, whichever way `end` is written."""
        return end + ONE_DAY if self.bill_last_day else end

    def written_end(self, exclusive_end: date) -> date:
        """An exclusive end written the way this convention reads end dates."""
        return exclusive_end - ONE_DAY if self.bill_last_day else exclusive_end

    @property
    def label(self) -> str:
        """Empty for the default; otherwise what an explanation notes, e.g. '30/360'."""
        notes = []
        if self.day_count is DayCount.THIRTY_360:
            notes.append("30/360")
        if self.bill_last_day:
            notes.append("last day billed")
        return ", ".join(notes)

    @property
    def setting(self) -> str:
        """The setting value that gives this convention (see `convention_from_setting`)."""
        return self.day_count.value + ("+last_day" if self.bill_last_day else "")


DEFAULT = Convention()
SETTING_VALUES = ("actual", "actual+last_day", "30/360", "30/360+last_day")


def convention_from_setting(value: str) -> Convention:
    """Read a setting such as "actual" (the default), "30/360" or "actual+last_day"."""
    text = (value or "").strip().lower().replace(" ", "")
    text = text.replace("thirty_360", "30/360").replace("inclusive", "last_day")
    day_count, _, flag = text.partition("+")
    if day_count not in {d.value for d in DayCount} or flag not in {"", "last_day"}:
        raise ValueError(f"unknown proration convention {value!r}; "
                         f"use one of {', '.join(SETTING_VALUES)}")
    return Convention(DayCount(day_count), bill_last_day=bool(flag))


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
    end = convention.exclusive_end(period_end)
    _check_span(period_start, end, "period")
    return _position(period_start, end, convention.day_count)


def days_used(start: date, end: date, period_start: date, period_end: date,
              convention: Convention = DEFAULT) -> int:
    """Days of the service window [start, end) that fall inside the period."""
    end, p_end = convention.exclusive_end(end), convention.exclusive_end(period_end)
    _check_span(start, end, "service")
    _check_span(period_start, p_end, "period")
    first, last = max(start, period_start), min(end, p_end)
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


def format_amount(amount: Decimal, currency: str) -> str:
    """$1,234.50 / ¥1,235 / 1,234.500 KWD: the currency's places, or more if the rate has more."""
    currency = currency.upper()
    places = max(minor_units(currency), -Decimal(amount).as_tuple().exponent)
    text = f"{abs(Decimal(amount)):,.{places}f}"
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


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
                f"{format_amount(self.full_amount, self.currency)} = "
                f"{format_amount(self.amount, self.currency)}")


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


@dataclass(frozen=True, slots=True)
class BillingSlice:
    """One billed period: the service [start, end) inside the aligned period it prorates over.

    End dates are written the way the convention reads them (exclusive by default).
    """

    start: date
    end: date
    period_start: date
    period_end: date
    leading_partial: bool = False  # the first period, starting after its bill date
    trailing_partial: bool = False  # the last period, ending before its next bill date

    @property
    def partial(self) -> bool:
        return self.leading_partial or self.trailing_partial


def bill_date(year: int, month: int, bill_day: int) -> date:
    """The bill day in that month, clamped to the month's end (31 → 28 February)."""
    return date(year, month, min(bill_day, calendar.monthrange(year, month)[1]))


def _boundary(first: date, bill_day: int, months: int) -> date:
    moved = add_months(first.replace(day=1), months)
    return bill_date(moved.year, moved.month, bill_day)


def billing_periods(anchor_start: date, term_end: date, period_months: int, bill_day: int,
                    convention: Convention = DEFAULT) -> Iterator[BillingSlice]:
    """Periods for billing in advance from `anchor_start` to `term_end`, aligned to `bill_day`.

    Periods start on the bill day (clamped to short months, never drifting: 31 Jan, 28 Feb,
    31 Mar). A start off the bill day gives a leading partial period up to the next bill date,
    prorated over the whole period that ends there; an end off a boundary gives a trailing
    partial period. The slices tile the term exactly, with no gap and no overlap.
    """
    if period_months < 1:
        raise ValueError("a billing period is at least one month")
    if not 1 <= bill_day <= 31:
        raise ValueError("the bill day is between 1 and 31")
    end = convention.exclusive_end(term_end)
    _check_span(anchor_start, end, "term")
    first = bill_date(anchor_start.year, anchor_start.month, bill_day)
    if first < anchor_start:
        first = _boundary(first, bill_day, 1)
    k = 0 if first == anchor_start else -1
    while True:
        p_start = _boundary(first, bill_day, k * period_months)
        p_end = _boundary(first, bill_day, (k + 1) * period_months)
        start = max(p_start, anchor_start)
        if start >= end:
            return
        stop = min(p_end, end)
        yield BillingSlice(start, convention.written_end(stop), p_start,
                           convention.written_end(p_end),
                           leading_partial=start > p_start, trailing_partial=stop < p_end)
        k += 1
