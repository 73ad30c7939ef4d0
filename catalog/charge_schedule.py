"""A line's charge schedule, and what ending it early does: pure, over Decimal and dates; no ORM.

    periods(terms) -> list[Period]
    charge_schedule(terms) -> list[Charge]
    end_early(rows, *, last_day, currency, convention, at, time_zone, starts_at) -> Ending
    row_span(period_start, period_end, time_zone, starts_at) -> (datetime, datetime)
    kept_until(amount, currency, span, moment) -> SecondProration
    explain(pieces, currency) -> str

One module computes what a subscription charges, so that the quote's and the contract's
documents, the amendment and termination figures, the invoice run and revenue recognition all
read the same rows (`contracts.models.ScheduledCharge` stores them).

Dates: every end date here is inclusive (the last day served or billed), as contract lines
store them.

Alignment (`Alignment`, chosen per line at the quote and kept on the contract line):
  BILL_DAY     periods start on the account's bill day (1-31; a day a short month lacks is its
               last day: 31 Jan, 28 Feb, 31 Mar, never drifting). A line that starts off the
               bill day has a first, part period up to the next bill day. The default.
  ANNIVERSARY  periods start on the line's own start day, every period from there.
  CALENDAR     periods start with the calendar period: a month on the 1st, a quarter on
               1 January, April, July and October, a half year on 1 January and July, a year
               on 1 January; a week on Monday.
A quarterly (or longer) line aligned to the bill day starts its whole periods on the first bill
day after its start, then every three (six, twelve) months. A weekly line is aligned to its own
start unless it follows the calendar. A line billed once for its term (`term`) has one period,
its whole term, never prorated.

Kinds: recurring charges bill in advance (due on the first day of their period); usage bills in
arrears (due the day after its period ends, rated then, so its row holds no amount); a one-time
charge is due on its day; a credit (negative) is due on the day the change that made it takes
effect.

Granularity (`catalog.proration.Granularity`, chosen per price and kept on the contract line):
  DAY          part periods by whole days under the line's day-count convention. The default.
  SECOND       a line that starts or ends at a moment within a day (`starts_at`, `ends_at`,
               aware) has the part period holding that moment prorated by whole seconds over
               the whole aligned period, both counted between the local midnights of the
               line's time zone (the account's): Stripe prorates "down to the second". The
               day a moment belongs to is its day in that zone (`start_on`, `end_on` must be
               those days). A part period with no moment in it is counted by days as ever,
               and a line billed once for its term is never prorated. Ending a line early
               splits the row holding its last day by days, or by seconds when it stops at
               a moment (`end_early(at=)`).

Rounding point: a whole period charges the line's amount per period as priced; a part period
charges `catalog.proration.prorate` of it over the whole aligned period it belongs to, rounded
once and explained ("19 of 31 days × $100.00 = $61.29"). Ending a row early splits the row's
own amount by days with `core.money.allocate`, so the part kept and the part credited always add
up exactly to what the row charged. Ending it at a moment splits the row holding the moment by
whole seconds of the row's own span with `catalog.proration.prorate_seconds`: the part kept is
rounded once and the rest is the row's amount less it, the split `allocate` would make of two
parts (their fractions add up to one unit; a tie goes to the earlier part, as half away from
zero rounds it).

>>> from datetime import date
>>> from decimal import Decimal as D
>>> terms = LineTerms("USD", "monthly", D("100.00"), date(2026, 1, 13), date(2026, 3, 31))
>>> [(c.period_start, c.period_end, c.amount) for c in charge_schedule(terms)]
... # doctest: +NORMALIZE_WHITESPACE
[(datetime.date(2026, 1, 13), datetime.date(2026, 1, 31), Decimal('61.29')),
 (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), Decimal('100.00')),
 (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), Decimal('100.00'))]
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from catalog.pricing import BillingPeriod
from catalog.proration import (
    DEFAULT,
    Convention,
    Granularity,
    SecondProration,
    bill_date,
    day_start,
    days_used,
    local_day,
    prorate,
    prorate_seconds,
)
from core.dates import add_months
from core.formatting import format_rate
from core.money import allocate, round_money

ONE_DAY = timedelta(days=1)
WEEK = timedelta(days=7)


class Alignment(StrEnum):
    BILL_DAY = "bill_day"
    ANNIVERSARY = "anniversary"
    CALENDAR = "calendar"

    @property
    def label(self) -> str:
        return {"bill_day": "Account's bill day", "anniversary": "Line's start day",
                "calendar": "Calendar period"}[self.value]


class ChargeKind(StrEnum):
    RECURRING = "recurring"
    ONE_TIME = "one_time"
    USAGE = "usage"
    CREDIT = "credit"


@dataclass(frozen=True, slots=True)
class LineTerms:
    currency: str
    billing_period: str
    amount_per_period: Decimal  # net for one whole period (the whole amount when one-time)
    start_on: date
    end_on: date  # last day served
    alignment: str = Alignment.BILL_DAY
    bill_day: int = 1
    convention: Convention = DEFAULT
    usage: bool = False
    granularity: str = Granularity.DAY
    starts_at: datetime | None = None  # the moment service starts (a moment of `start_on`)
    ends_at: datetime | None = None  # the moment service stops (a moment of `end_on`)
    time_zone: str = "UTC"  # the account's: which day a moment belongs to


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # last day
    aligned_start: date
    aligned_end: date  # last day of the whole aligned period

    @property
    def partial(self) -> bool:
        return (self.start, self.end) != (self.aligned_start, self.aligned_end)


@dataclass(frozen=True, slots=True)
class Charge:
    kind: ChargeKind
    period_start: date
    period_end: date  # last day
    due_on: date
    amount: Decimal  # rounded to the currency; negative for a credit
    days: int | None = None  # days charged, when prorated
    period_days: int | None = None  # days of the whole period, when prorated
    explanation: str = ""
    seconds: int | None = None  # seconds charged, when prorated by the second
    period_seconds: int | None = None  # seconds of the whole period, then


def _check(terms: LineTerms) -> BillingPeriod:
    period = BillingPeriod(terms.billing_period)
    if terms.end_on < terms.start_on:
        raise ValueError(f"the line ends ({terms.end_on}) before it starts ({terms.start_on})")
    if not 1 <= terms.bill_day <= 31:
        raise ValueError("the bill day is between 1 and 31")
    Alignment(terms.alignment)
    Granularity(terms.granularity)
    _check_moments(terms)
    return period


def _check_moments(terms: LineTerms) -> None:
    """A line's moments fall on its first and last days in its time zone (a line that stops
    at midnight stops with the day before and needs no moment)."""
    zone = terms.time_zone
    if terms.starts_at is not None and local_day(terms.starts_at, zone) != terms.start_on:
        raise ValueError(f"the line starts at {terms.starts_at}, which is not on its first "
                         f"day {terms.start_on} in {zone}")
    if terms.ends_at is not None and local_day(terms.ends_at, zone) != terms.end_on:
        raise ValueError(f"the line stops at {terms.ends_at}, which is not within its last "
                         f"day {terms.end_on} in {zone}")
    if terms.starts_at is not None and terms.ends_at is not None \
            and terms.ends_at <= terms.starts_at:
        raise ValueError("the line stops before it starts")


def _first_boundary(terms: LineTerms, months: int) -> tuple[date, int]:
    """The first period start on or after the line's start, and the day periods start on."""
    start, alignment = terms.start_on, Alignment(terms.alignment)
    if alignment is Alignment.ANNIVERSARY:
        return start, start.day
    if alignment is Alignment.CALENDAR:
        month = (start.month - 1) // months * months + 1
        first = date(start.year, month, 1)
        return (first if first == start else add_months(first, months)), 1
    first = bill_date(start.year, start.month, terms.bill_day)
    if first < start:
        moved = add_months(first.replace(day=1), 1)
        first = bill_date(moved.year, moved.month, terms.bill_day)
    return first, terms.bill_day


def _boundaries(terms: LineTerms, period: BillingPeriod) -> tuple[date, callable]:
    if period is BillingPeriod.WEEKLY:
        first = terms.start_on
        if terms.alignment == Alignment.CALENDAR:
            first += timedelta(days=(7 - first.weekday()) % 7)
        return first, lambda k: first + WEEK * k
    months = int(period.months)
    first, day = _first_boundary(terms, months)

    def boundary(k: int) -> date:
        moved = add_months(first.replace(day=1), k * months)
        return bill_date(moved.year, moved.month, day)

    return first, boundary


def _slices(terms: LineTerms, period: BillingPeriod) -> Iterator[Period]:
    first, boundary = _boundaries(terms, period)
    end = terms.end_on
    if first > terms.start_on:
        yield Period(terms.start_on, min(first - ONE_DAY, end), boundary(-1), first - ONE_DAY)
    k = 0
    while (start := boundary(k)) <= end:
        last = boundary(k + 1) - ONE_DAY
        yield Period(start, min(last, end), start, last)
        k += 1


def periods(terms: LineTerms) -> list[Period]:
    """The line's billing periods from its start to its end: no gap, no overlap."""
    period = _check(terms)
    if not period.recurring:
        return []
    if period is BillingPeriod.TERM:
        return [Period(terms.start_on, terms.end_on, terms.start_on, terms.end_on)]
    return list(_slices(terms, period))


def _moments(terms: LineTerms, period: Period) -> tuple[datetime, datetime] | None:
    """The period's service window by the second, when the price counts seconds and the line
    starts or stops at a moment within this period (else None: counted by days)."""
    if terms.granularity != Granularity.SECOND:
        return None
    starts = terms.starts_at if period.start == terms.start_on else None
    ends = terms.ends_at if period.end == terms.end_on else None
    if starts is None and ends is None:
        return None
    zone = terms.time_zone
    return (starts or day_start(period.start, zone),
            ends or day_start(period.end + ONE_DAY, zone))


def _by_seconds(terms: LineTerms, period: Period, amount: Decimal,
                window: tuple[datetime, datetime]) -> Charge:
    zone = terms.time_zone
    part = prorate_seconds(amount, terms.currency, service_start=window[0],
                           service_end=window[1],
                           period_start=day_start(period.aligned_start, zone),
                           period_end=day_start(period.aligned_end + ONE_DAY, zone))
    return Charge(ChargeKind.RECURRING, period.start, period.end, period.start, part.amount,
                  explanation=part.explanation, seconds=part.seconds,
                  period_seconds=part.period_seconds)


def _recurring(terms: LineTerms, period: Period) -> Charge:
    amount = round_money(terms.amount_per_period, terms.currency)
    window = None if terms.billing_period == BillingPeriod.TERM else _moments(terms, period)
    if window is not None:
        return _by_seconds(terms, period, amount, window)
    if not period.partial:
        return Charge(ChargeKind.RECURRING, period.start, period.end, period.start, amount,
                      explanation=f"Whole period: {format_rate(amount, terms.currency)}")
    part = prorate(amount, terms.currency, service_start=period.start,
                   service_end=period.end + ONE_DAY, period_start=period.aligned_start,
                   period_end=period.aligned_end + ONE_DAY, convention=terms.convention)
    return Charge(ChargeKind.RECURRING, period.start, period.end, period.start, part.amount,
                  part.days, part.period_days, part.explanation)


def _usage(period: Period) -> Charge:
    return Charge(ChargeKind.USAGE, period.start, period.end, period.end + ONE_DAY, Decimal(0),
                  explanation="Usage, rated when the period is over")


def charge_schedule(terms: LineTerms) -> list[Charge]:
    """Every charge of the line over its term, in date order."""
    period = _check(terms)
    if not period.recurring:
        amount = round_money(terms.amount_per_period, terms.currency)
        return [Charge(ChargeKind.ONE_TIME, terms.start_on, terms.start_on, terms.start_on,
                       amount, explanation="One-time charge")]
    make = _usage if terms.usage else (lambda p: _recurring(terms, p))
    return [make(p) for p in periods(terms)]


@dataclass(frozen=True, slots=True)
class Row:
    """A stored charge as `end_early` needs it: its key, and whether an invoice holds it."""

    key: int
    kind: str
    period_start: date
    period_end: date
    due_on: date
    amount: Decimal
    billed: bool


@dataclass(frozen=True, slots=True)
class Ending:
    ended: tuple[int, ...]  # keys of rows no invoice holds, replaced by `added`
    added: tuple[tuple[int, Charge], ...]  # (key of the row it is about, the new charge)

    @property
    def credit(self) -> Decimal:
        return sum((c.amount for _, c in self.added if c.kind == ChargeKind.CREDIT), Decimal(0))


def _split(row: Row, last_day: date, currency: str, convention: Convention):
    """The row's amount in two: the days up to `last_day` and the days after it."""
    end = row.period_end + ONE_DAY
    kept = days_used(row.period_start, last_day + ONE_DAY, row.period_start, end, convention)
    rest = days_used(last_day + ONE_DAY, end, row.period_start, end, convention)
    before, after = allocate(row.amount, [kept, rest], currency)
    return kept, rest, before, after


def _credit_text(rest: int | None, unit: str, after: Decimal, row: Row, currency: str) -> str:
    note = (f"Credit for {rest:,} {unit} not served" if rest is not None
            else "Credit for a period not served")
    return f"{note}: −{format_rate(after, currency)} of {format_rate(row.amount, currency)}"


def row_span(period_start: date, period_end: date, time_zone: str,
             starts_at: datetime | None = None) -> tuple[datetime, datetime]:
    """A row's span by the clock: from the local midnight of its first day (or from the line's
    start moment, `starts_at`, when that is on its first day) to the local midnight after its
    last day."""
    start = (starts_at if starts_at is not None and local_day(starts_at, time_zone) == period_start
             else day_start(period_start, time_zone))
    return start, day_start(period_end + ONE_DAY, time_zone)


def kept_until(amount: Decimal, currency: str, span: tuple[datetime, datetime],
               moment: datetime) -> SecondProration:
    """The part of `amount` (a row's, over `span`) up to `moment`, by whole seconds, rounded
    once; the rest is `amount` less it."""
    return prorate_seconds(amount, currency, service_start=span[0], service_end=moment,
                           period_start=span[0], period_end=span[1])


def _cut_at(row: Row, moment: datetime, day: date, span: tuple[datetime, datetime],
            currency: str) -> tuple[bool, Charge | None]:
    """The row (`span`: its start and end moments) cut at `moment` on `day`: whether it ends,
    and the charge that takes its place (a shorter row, or a credit for a row an invoice
    holds)."""
    kept = kept_until(row.amount, currency, span, moment)
    after, rest = row.amount - kept.amount, kept.period_seconds - kept.seconds
    if row.billed:
        if not after:
            return False, None
        return False, Charge(ChargeKind.CREDIT, day, row.period_end, day, -after,
                             explanation=_credit_text(rest, "seconds", after, row, currency),
                             seconds=rest, period_seconds=kept.period_seconds)
    return True, Charge(ChargeKind(row.kind), row.period_start, day, row.due_on, kept.amount,
                        explanation=kept.explanation, seconds=kept.seconds,
                        period_seconds=kept.period_seconds)


def _end_at(rows: Sequence[Row], *, last_day: date, at: datetime, time_zone: str,
            currency: str, convention: Convention, starts_at: datetime | None) -> Ending:
    if local_day(at, time_zone) != last_day:
        raise ValueError(f"the line stops at {at}, which is not within its last day "
                         f"{last_day} in {time_zone}")
    cut = [row for row in rows if row.kind == ChargeKind.RECURRING
           and row.period_start <= last_day <= row.period_end]
    others = _end_by_days([row for row in rows if row not in cut], last_day - ONE_DAY,
                          currency, convention)
    ended, added = list(others.ended), list(others.added)
    for row in cut:
        span = row_span(row.period_start, row.period_end, time_zone, starts_at)
        ends, charge = _cut_at(row, at, last_day, span, currency)
        if ends:
            ended.append(row.key)
        if charge is not None:
            added.append((row.key, charge))
    return Ending(tuple(ended), tuple(added))


def end_early(rows: Sequence[Row], *, last_day: date, currency: str,
              convention: Convention = DEFAULT, at: datetime | None = None,
              time_zone: str = "UTC", starts_at: datetime | None = None) -> Ending:
    """What a line that now ends on `last_day` changes in its schedule.

    A row no invoice holds yet ends; the part of it up to `last_day` (if any) is charged by a
    new, shorter row. A row an invoice already holds stays as billed; the part of it after
    `last_day` is credited by a new row due the day after `last_day`.

    With `at` (a line priced by the second that stops at that moment of `last_day` in
    `time_zone`; `starts_at`: the moment it started, if within its first day) the recurring row
    holding `last_day` is split at `at` by seconds instead (`row_span`, `kept_until`), and
    every other row ends as it would from `last_day`; the credits are then due on `last_day`,
    the day the change takes effect.
    """
    if at is not None:
        return _end_at(rows, last_day=last_day, at=at, time_zone=time_zone, currency=currency,
                       convention=convention, starts_at=starts_at)
    return _end_by_days(rows, last_day, currency, convention)


def _end_by_days(rows: Sequence[Row], last_day: date, currency: str,
                 convention: Convention) -> Ending:
    effective = last_day + ONE_DAY
    ended, added = [], []
    for row in rows:
        if row.kind == ChargeKind.CREDIT or row.period_end <= last_day:
            continue
        whole = row.period_start > last_day
        if row.kind == ChargeKind.USAGE:
            if row.billed:
                continue
            ended.append(row.key)
            if not whole:
                added.append((row.key, Charge(ChargeKind.USAGE, row.period_start, last_day,
                                              effective, Decimal(0),
                                              explanation="Usage up to the line's end")))
            continue
        if whole:
            kept, rest, before, after = 0, None, Decimal(0), row.amount
        else:
            kept, rest, before, after = _split(row, last_day, currency, convention)
        if row.billed:
            if after:
                added.append((row.key, Charge(
                    ChargeKind.CREDIT, max(row.period_start, effective), row.period_end,
                    effective, -after, rest, None if rest is None else kept + rest,
                    _credit_text(rest, "days", after, row, currency))))
            continue
        ended.append(row.key)
        if not whole:
            added.append((row.key, Charge(
                ChargeKind(row.kind), row.period_start, last_day, row.due_on, before, kept,
                kept + rest, f"{kept} of {kept + rest} days × "
                             f"{format_rate(row.amount, currency)} = "
                             f"{format_rate(before, currency)}")))
    return Ending(tuple(ended), tuple(added))


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of what a line charges: a whole period, or some days (or seconds) of one."""

    amount: Decimal
    of: Decimal  # the whole period's amount
    days: int | None = None  # None (and no seconds): the whole period
    period_days: int | None = None
    note: str = ""  # the day count when not actual days, e.g. "30/360"
    seconds: int | None = None  # counted by the second: the seconds of the part
    period_seconds: int | None = None

    def _part(self, money) -> str | None:
        """'17 of 31 days × $127.50 = $69.92', or its seconds; None for a whole period."""
        if self.seconds is not None:
            return (f"{self.seconds:,} of {self.period_seconds:,} seconds × {money(self.of)} = "
                    f"{money(self.amount)}")
        if self.days is None:
            return None
        note = f" ({self.note})" if self.note else ""
        return (f"{self.days} of {self.period_days} days{note} × {money(self.of)} = "
                f"{money(self.amount)}")


def explain(pieces: Sequence[Piece], currency: str) -> str:
    """What a person reads beside a sum of pieces: the part periods one by one, then the whole
    periods counted ("17 of 31 days × $127.50 = $69.92 + 8 periods × $127.50 = $1,089.92")."""
    def money(amount: Decimal) -> str:
        return format_rate(round_money(amount, currency), currency)

    parts, wholes = [], {}
    for piece in pieces:
        if not piece.amount:
            continue
        part = piece._part(money)
        if part is None:
            of = round_money(piece.of, currency)
            wholes[of] = wholes.get(of, 0) + 1
            continue
        parts.append(part)
    parts += [f"{count} period{'' if count == 1 else 's'} × {money(of)}"
              for of, count in wholes.items()]
    total = round_money(sum((p.amount for p in pieces), Decimal(0)), currency)
    if not parts:
        return f"nothing = {format_rate(total, currency)}"
    if len(parts) == 1 and not wholes:
        return parts[0]
    return f"{' + '.join(parts)} = {format_rate(total, currency)}"
