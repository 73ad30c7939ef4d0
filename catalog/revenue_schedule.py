"""Revenue schedules: when an obligation's allocated price is recognized, month by month.

    ratable_schedule(amount, currency, start, end, basis=Basis()) -> tuple[ScheduleLine, ...]
    point_in_time_schedule(amount, currency, on) -> tuple[ScheduleLine, ...]
    earned_by_delivery(amount, currency, *, ordered, delivered) -> Decimal
    amend_prospectively(lines, currency, *, effective, change, new_end=None)
        -> tuple[ScheduleLine, ...]
    terminate(lines, currency, *, effective, refund) -> Termination
    succeed(lines, currency, *, effective, change, end) -> Succession
    catch_up(lines, currency, *, recognized, first_open) -> tuple[ScheduleLine, ...]
    cumulative_successor(earned, currency, *, start, effective, end, price, basis)
        -> tuple[ScheduleLine, ...]

Pure, over Decimal and dates; no ORM. Schedule lines are bucketed by calendar month (the
accounting period); `month` is the month's first day.

Conventions:
- Service periods are half-open: `start` is the first day of service, `end` the first day
  without it (a year from 2026-01-01 ends on 2027-01-01). Effective dates of amendments and
  terminations are the first day under the new terms (or without service).
- Ratable recognition follows the revenue contract's policy (`Basis`):
  - by day (the default): each calendar day of service earns the same share, so a month earns
    days in the month / days of service (31, 30, 28 or 29 days; a leap year's 366);
  - by month: each whole calendar month of service earns the same share, a partial first or
    last month its days over the month's days (16 days of a 31-day month weigh 16/31);
  - a service that ends mid-month is recognized up to its end date (`service_end`, the
    default: the last month weighs its days of service) or as if it ran to the month's end
    (`month_end`: the last month weighs the days from its start to the month's end);
  - the rounding remainder goes by largest remainder (`core.money.allocate`, the default: each
    month within one minor unit of its exact share) or to the last period (every month but
    the last rounded down to the minor unit, the last takes the rest, so it is never below its
    exact share). Either way the months add up exactly to the amount, none is negative, and
    never more is recognized than was allocated.
- Point in time: the whole amount in the month of the date control passes (the fulfilment
  date); usage recognized as billed is a point in time on the invoice date. An item delivered
  in parts (units) passes control unit by unit (IFRS 15 IE Example 5, IE19-IE20: 120 products
  transferred over six months, each at a point in time): what the units delivered to date have
  earned is the amount × delivered / ordered, rounded to the currency (the whole amount once
  all are delivered), and a month recognizes what its deliveries added to that.
- Amendments, prospective (ASC 606-10-25-13a): what was recognized before the effective date
  stays as it was (whole months before it, and the effective month's days before it, split by
  days); the rest of the unrecognized amount plus the change is spread ratably from the effective
  date to the (new) end. An amendment that adds distinct goods at their standalone price is a
  separate contract: give it a schedule of its own instead.
- Termination: recognition stops at the effective date; what was earned stays; the unearned rest
  less the refund (credit) due to the customer is the true-up, recognized with the last month of
  service (negative when the refund is more than was left to recognize).
- Succession: an amendment that ends a contract line and starts a new one from the effective
  date is the prospective amendment above split in two schedules: the old line keeps what it
  earned, the new line gets the rest plus the change from the effective date to its end.
- Cumulative catch-up (IFRS 15.21(b), ASC 606-10-25-13b; IE Example 8): a modification of
  an obligation whose rest is not distinct from what was delivered is treated as part of the
  original contract: the schedule is redone from the original start over the whole price
  (earned before + the successor's price), and the difference between what that schedule
  earns before the effective date and what was earned is recognized at the modification, in
  the successor's first month (`cumulative_successor`).
- Catch-up: a month already recognized never changes; when a later schedule (amended,
  terminated) differs in such a month, the difference is recognized in the first open month.

Worked example (a year of support for $1,200.00 from 15 January 2024, a leap year):
>>> from datetime import date
>>> from decimal import Decimal as D
>>> lines = ratable_schedule(D("1200.00"), "USD", date(2024, 1, 15), date(2025, 1, 15))
>>> for line in lines[:3]:
...     print(line.month, line.days, line.amount)
2024-01-01 17 55.74
2024-02-01 29 95.08
2024-03-01 31 101.64
>>> sum(line.amount for line in lines), sum(line.days for line in lines)
(Decimal('1200.00'), 366)
>>> # from 1 July the price rises by $300: 550.82 was earned in 168 days to 30 June, so the
>>> # other 949.18 is spread over the 198 days left (July: 31 days of 198 = 148.61)
>>> amended = amend_prospectively(lines, "USD", effective=date(2024, 7, 1), change=D("300.00"))
>>> sum(line.amount for line in lines[:6]), amended[:6] == lines[:6], amended[6].amount
(Decimal('550.82'), True, Decimal('148.61'))
>>> sum(line.amount for line in amended)
Decimal('1500.00')

The same year by month, remainder to the last period. IFRS 15 IE Example 18 (IE92-IE94: a year
of health club access at CU100 a month, progress measured on a straight-line basis) earns the
same in every month; here January's 17 of 31 days weigh 17/31 of a month, so each whole month
earns 1,200.00 / 12 = 100.00, January 54.83 (rounded down) and the 14 days of January 2025 the
rest
>>> by_month = Basis(BY_MONTH, LAST_PERIOD)
>>> lines = ratable_schedule(D("1200.00"), "USD", date(2024, 1, 15), date(2025, 1, 15), by_month)
>>> [str(line.amount) for line in lines[:2]], lines[-1].amount, sum(line.amount for line in lines)
(['54.83', '100.00'], Decimal('45.17'), Decimal('1200.00'))
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import allocate, from_minor, round_money, to_minor

ZERO = Decimal(0)
ONE_DAY = timedelta(days=1)

BY_DAY, BY_MONTH = "by_day", "by_month"
LARGEST_REMAINDER, LAST_PERIOD = "largest_remainder", "last_period"
SERVICE_END, MONTH_END = "service_end", "month_end"


@dataclass(frozen=True, slots=True)
class Basis:
    """The recognition policy of a revenue contract (see the module's conventions)."""

    basis: str = BY_DAY  # or BY_MONTH
    remainder: str = LARGEST_REMAINDER  # or LAST_PERIOD
    mid_month_end: str = SERVICE_END  # or MONTH_END

    def __post_init__(self):
        if (self.basis not in (BY_DAY, BY_MONTH)
                or self.remainder not in (LARGEST_REMAINDER, LAST_PERIOD)
                or self.mid_month_end not in (SERVICE_END, MONTH_END)):
            raise ValueError(f"unknown recognition policy {self}")


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    month: date  # first day of the calendar month recognized in
    start: date  # first day of service in the month (the date itself for a point in time)
    end: date  # first day after it; equal to start for a point in time
    amount: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class Termination:
    lines: tuple[ScheduleLine, ...]
    true_up: Decimal  # recognized on top of the earned amount in the last month of service


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]) + ONE_DAY


def _check_rounded(amount: Decimal, currency: str) -> None:
    if round_money(amount, currency) != amount:
        raise ValueError(f"{amount} is not rounded to {currency.upper()}'s minor unit")


def month_spans(start: date, end: date) -> list[tuple[date, date]]:
    """The service [start, end) cut at month boundaries."""
    spans = []
    while start < end:
        stop = min(_next_month(start), end)
        spans.append((start, stop))
        start = stop
    return spans


def month_weights(spans: Sequence[tuple[date, date]], basis: Basis) -> list[Decimal]:
    """What each month of service weighs under the policy (days, or months with partial ones
    as days over the month's days); the last month up to the month's end under `month_end`."""
    weights = []
    for n, (a, b) in enumerate(spans):
        if basis.mid_month_end == MONTH_END and n == len(spans) - 1:
            b = _next_month(a)
        days = Decimal((b - a).days)
        if basis.basis == BY_MONTH:
            days /= Decimal((_next_month(a) - _month_start(a)).days)
        weights.append(days)
    return weights


def remainder_to_last(amount: Decimal, weights: Sequence[Decimal], currency: str
                      ) -> list[Decimal]:
    """`amount` by `weights`, each part but the last rounded down to the minor unit and the
    last taking the rest (a negative amount is split as the mirror of its positive)."""
    units = to_minor(amount, currency)
    if units < 0:
        return [-part for part in remainder_to_last(-amount, weights, currency)]
    total = sum(weights, ZERO)
    if total <= 0:
        raise ValueError("the weights must add up to more than zero")
    parts = [units * w // total for w in weights[:-1]]
    parts.append(units - sum(parts))
    return [from_minor(int(part), currency) for part in parts]


def ratable_schedule(amount: Decimal, currency: str, start: date, end: date,
                     basis: Basis = Basis()) -> tuple[ScheduleLine, ...]:
    """Ratable recognition of `amount` over [start, end) under `basis`, in monthly lines adding
    up exactly."""
    _check_rounded(amount, currency)
    if end <= start:
        raise ValueError(f"a ratable service needs at least one day ({start} to {end})")
    spans = month_spans(start, end)
    weights = month_weights(spans, basis)
    if basis.remainder == LAST_PERIOD:
        amounts = remainder_to_last(amount, weights, currency)
    else:
        amounts = allocate(amount, weights, currency)
    return tuple(ScheduleLine(_month_start(a), a, b, part)
                 for (a, b), part in zip(spans, amounts, strict=True))


def point_in_time_schedule(amount: Decimal, currency: str, on: date) -> tuple[ScheduleLine, ...]:
    """The whole amount recognized in the month control passes."""
    _check_rounded(amount, currency)
    return (ScheduleLine(_month_start(on), on, on, amount),)


def earned_by_delivery(amount: Decimal, currency: str, *, ordered: Decimal,
                       delivered: Decimal) -> Decimal:
    """What the units delivered to date have earned of `amount` (by units, rounded half up;
    never more than the amount, and the whole amount once every unit is delivered).

    >>> earned_by_delivery(Decimal("12000.00"), "USD", ordered=Decimal(120),
    ...                    delivered=Decimal(60))
    Decimal('6000.00')
    """
    _check_rounded(amount, currency)
    if ordered <= 0 or delivered < 0:
        raise ValueError(f"cannot earn by {delivered} delivered of {ordered} ordered")
    if delivered >= ordered:
        return amount
    return round_money(amount * delivered / ordered, currency)


def _check_ratable(lines: Sequence[ScheduleLine]) -> None:
    if not lines:
        raise ValueError("the schedule has no lines")
    for before, after in zip(lines, lines[1:], strict=False):
        if before.end != after.start:
            raise ValueError("the schedule's lines must follow each other without gaps")
    if any(line.days <= 0 for line in lines):
        raise ValueError("only a ratable schedule can be amended or terminated")


def earned_before(lines: Sequence[ScheduleLine], currency: str,
                   effective: date) -> list[ScheduleLine]:
    """The lines (or the part of a line, split by days) recognized before `effective`."""
    kept = []
    for line in lines:
        if line.end <= effective:
            kept.append(line)
        elif line.start < effective:
            before, _ = allocate(line.amount, [(effective - line.start).days,
                                               (line.end - effective).days], currency)
            kept.append(ScheduleLine(line.month, line.start, effective, before))
    return kept


def _join(kept: list[ScheduleLine], rest: Sequence[ScheduleLine]) -> tuple[ScheduleLine, ...]:
    if kept and rest and kept[-1].month == rest[0].month and kept[-1].end == rest[0].start:
        first = ScheduleLine(kept[-1].month, kept[-1].start, rest[0].end,
                             kept[-1].amount + rest[0].amount)
        return (*kept[:-1], first, *rest[1:])
    return (*kept, *rest)


def amend_prospectively(lines: Sequence[ScheduleLine], currency: str, *, effective: date,
                        change: Decimal, new_end: date | None = None,
                        basis: Basis = Basis()) -> tuple[ScheduleLine, ...]:
    """The schedule after a prospective change: the past kept, the rest plus the change spread."""
    _check_ratable(lines)
    _check_rounded(change, currency)
    start, end = lines[0].start, new_end or lines[-1].end
    effective = max(effective, start)
    if not effective < end or effective > lines[-1].end:
        raise ValueError(f"the amendment takes effect on {effective}, outside the service "
                         f"({start} to {lines[-1].end}, ending {end} after it)")
    kept = earned_before(lines, currency, effective)
    rest = sum((line.amount for line in lines), ZERO) + change - sum(
        (line.amount for line in kept), ZERO)
    if rest < 0:
        raise ValueError(f"the change ({change}) takes back more than is left to recognize "
                         f"({rest - change}); terminate with a refund instead")
    return _join(kept, ratable_schedule(rest, currency, effective, end, basis))


def terminate(lines: Sequence[ScheduleLine], currency: str, *, effective: date,
              refund: Decimal) -> Termination:
    """Recognition stopped at `effective`; the unearned rest less the refund is trued up."""
    _check_ratable(lines)
    _check_rounded(refund, currency)
    total = sum((line.amount for line in lines), ZERO)
    start, end = lines[0].start, lines[-1].end
    if not start <= effective <= end:
        raise ValueError(f"the termination takes effect on {effective}, outside the service "
                         f"({start} to {end})")
    if not ZERO <= refund <= total:
        raise ValueError(f"the refund must be between 0 and the schedule's total ({total})")
    kept = earned_before(lines, currency, effective)
    true_up = total - refund - sum((line.amount for line in kept), ZERO)
    if kept:
        last = kept[-1]
        kept[-1] = ScheduleLine(last.month, last.start, last.end, last.amount + true_up)
    else:
        kept = [ScheduleLine(_month_start(start), start, start, true_up)]
    return Termination(tuple(kept), true_up)


@dataclass(frozen=True, slots=True)
class Succession:
    kept: tuple[ScheduleLine, ...]  # the old schedule up to the effective date
    new: tuple[ScheduleLine, ...]  # the successor's schedule from the effective date


def succeed(lines: Sequence[ScheduleLine], currency: str, *, effective: date, change: Decimal,
            end: date, basis: Basis = Basis()) -> Succession:
    """`amend_prospectively` split at the effective date into the old and the new schedule."""
    _check_ratable(lines)
    _check_rounded(change, currency)
    if not lines[0].start <= effective <= lines[-1].end or not effective < end:
        raise ValueError(f"the successor starts on {effective}, outside the service "
                         f"({lines[0].start} to {lines[-1].end}) or not before its end {end}")
    kept = earned_before(lines, currency, effective)
    rest = sum((line.amount for line in lines), ZERO) + change - sum(
        (line.amount for line in kept), ZERO)
    if rest < 0:
        raise ValueError(f"the change ({change}) takes back more than is left to recognize "
                         f"({rest - change})")
    return Succession(tuple(kept), ratable_schedule(rest, currency, effective, end, basis))


def catch_up(lines: Sequence[ScheduleLine], currency: str, *, recognized: dict[date, Decimal],
             first_open: date) -> tuple[ScheduleLine, ...]:
    """The schedule with months before `first_open` as recognized, their differences moved
    into `first_open`'s month (a line of its own when the schedule has none there)."""
    difference = ZERO
    kept = []
    for line in lines:
        if line.month < first_open:
            difference += line.amount - recognized.get(line.month, ZERO)
        else:
            kept.append(line)
    difference -= sum((amount for month, amount in recognized.items()
                       if month < first_open and month not in {line.month for line in lines}),
                      ZERO)
    _check_rounded(difference, currency)
    if not difference:
        return tuple(kept)
    if kept and kept[0].month == first_open:
        head = kept[0]
        return (ScheduleLine(head.month, head.start, head.end, head.amount + difference),
                *kept[1:])
    return (ScheduleLine(first_open, first_open, first_open, difference), *kept)


def cumulative_successor(earned: Decimal, currency: str, *, start: date, effective: date,
                         end: date, price: Decimal, basis: Basis = Basis()
                         ) -> tuple[ScheduleLine, ...]:
    """The successor's schedule under a cumulative catch-up: `earned` is what its predecessor
    earned from `start` to `effective`, `price` what the successor is to recognize (the rest
    plus the change). Adds up to `price`; its first line carries the catch-up.

    >>> # a year of 1,200.00 from January; from 1 July (600.00 earned by month) the price of
    >>> # the year becomes 1,500.00: by month 750.00 was due by then, so July takes 125.00 + 150.00
    >>> lines = cumulative_successor(Decimal("600.00"), "USD", start=date(2027, 1, 1),
    ...                              effective=date(2027, 7, 1), end=date(2028, 1, 1),
    ...                              price=Decimal("900.00"), basis=Basis(BY_MONTH))
    >>> [str(line.amount) for line in lines]
    ['275.00', '125.00', '125.00', '125.00', '125.00', '125.00']
    """
    _check_rounded(earned, currency)
    _check_rounded(price, currency)
    if not start <= effective < end:
        raise ValueError(f"the modification takes effect on {effective}, outside the service "
                         f"({start} to {end})")
    full = ratable_schedule(earned + price, currency, start, end, basis)
    due_before = sum((line.amount for line in earned_before(full, currency, effective)), ZERO)
    after = [line for line in full if line.end > effective]
    first = after[0]
    head_amount = first.amount - (due_before - sum(
        (line.amount for line in full if line.end <= effective), ZERO))
    head = ScheduleLine(first.month, max(first.start, effective), first.end,
                        head_amount + due_before - earned)
    return (head, *after[1:])
