"""What a contract line owes up to a date: pure, over Decimal and dates; no ORM.

    due_charges(line: LineTerms, *, as_of, billed, convention) -> list[Charge]
    usage_periods(line: LineTerms, *, as_of, billed, convention) -> list[Period]

Rules (end dates here are inclusive, the last day served or billed):
- A line is billable from `billable_from` (the later of its start and its fulfilment; its start
  when it was never ordered); None means it waits for fulfilment and owes nothing yet.
- Recurring lines bill in advance: each period aligned to the account's bill day
  (`catalog.proration.billing_periods`) is charged once its first day is on or before `as_of`.
  A first or last period that covers part of its aligned period is prorated over the whole
  aligned period (`catalog.proration.prorate`, the day-count convention of the setting). A line
  is billed only for its own dates: an amendment ends a line and starts a new one, so the new
  line's first period is a prorated charge like any other start.
- An ended line that was billed past its end (billed in advance, then amended or terminated)
  gets one credit for the days billed after its end, at the same rate (negative amount).
- One-time lines bill once, on the day they become billable.
- Usage lines bill in arrears: `usage_periods` lists the periods that are over on `as_of` and
  not yet billed; `billing.rating` prices the quantity used in each.
Nothing is charged twice: `billed` holds the (kind, period start) keys already billed, the same
keys the database holds unique.

>>> from datetime import date
>>> from decimal import Decimal as D
>>> line = LineTerms(1, "USD", "monthly", D("100.00"), date(2026, 1, 13), date(2026, 12, 31),
...                  billable_from=date(2026, 1, 13), bill_day=1)
>>> [(c.period_start, c.period_end, c.amount) for c in due_charges(line, as_of=date(2026, 2, 1))]
... # doctest: +NORMALIZE_WHITESPACE
[(datetime.date(2026, 1, 13), datetime.date(2026, 1, 31), Decimal('61.29')),
 (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), Decimal('100.00'))]
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import takewhile

from catalog.pricing import BillingPeriod
from catalog.proration import DEFAULT, Convention, billing_periods, format_amount, prorate

ONE_DAY = timedelta(days=1)


class ChargeKind(StrEnum):
    """The same codes as `billing.models.RecordKind`."""

    RECURRING = "recurring"
    CREDIT = "credit"
    ONE_TIME = "one_time"
    USAGE = "usage"


@dataclass(frozen=True, slots=True)
class LineTerms:
    line_id: int
    currency: str
    billing_period: str
    amount_per_period: Decimal  # net for one whole period (the whole amount when one-time)
    start_on: date
    end_on: date  # last day served
    billable_from: date | None
    bill_day: int
    usage: bool = False
    description: str = ""


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
class Billed:
    """A billing record already written for the line."""

    kind: str
    period_start: date
    period_end: date


@dataclass(frozen=True, slots=True)
class Charge:
    line_id: int
    kind: ChargeKind
    period_start: date
    period_end: date
    amount: Decimal  # rounded to the currency; negative for a credit
    proration: Decimal | None = None  # share of the aligned period, None when whole
    explanation: str = ""


def periods(line: LineTerms, convention: Convention = DEFAULT, *,
            through: date | None = None, starting_by: date | None = None) -> list[Period]:
    """The line's billing periods from its billable day to its end (or `through`); with
    `starting_by`, only those that start on or before that day."""
    period = BillingPeriod(line.billing_period)
    if not period.recurring or line.billable_from is None:
        return []
    first = max(line.start_on, line.billable_from)
    last = line.end_on if through is None else through
    if last < first:
        return []
    slices = billing_periods(first, convention.written_end(last + ONE_DAY), period.months,
                             line.bill_day, convention)
    if starting_by is not None:
        slices = takewhile(lambda s: s.start <= starting_by, slices)
    return [Period(s.start, convention.exclusive_end(s.end) - ONE_DAY, s.period_start,
                   convention.exclusive_end(s.period_end) - ONE_DAY) for s in slices]


def _prorated(line: LineTerms, start: date, end: date, period: Period, convention: Convention):
    return prorate(line.amount_per_period, line.currency, service_start=start,
                   service_end=convention.written_end(end + ONE_DAY),
                   period_start=period.aligned_start,
                   period_end=convention.written_end(period.aligned_end + ONE_DAY),
                   convention=convention)


def _recurring(line: LineTerms, period: Period, convention: Convention) -> Charge:
    if not period.partial:
        return Charge(line.line_id, ChargeKind.RECURRING, period.start, period.end,
                      line.amount_per_period,
                      explanation=format_amount(line.amount_per_period, line.currency))
    result = _prorated(line, period.start, period.end, period, convention)
    return Charge(line.line_id, ChargeKind.RECURRING, period.start, period.end, result.amount,
                  result.fraction, result.explanation)


def _credit(line: LineTerms, billed: Iterable[Billed], convention: Convention) -> Charge | None:
    """The days billed in advance after the line ended, credited at the rate they were billed."""
    beyond = [b for b in billed if b.kind == ChargeKind.RECURRING and b.period_end > line.end_on]
    if not beyond:
        return None
    last_billed = max(b.period_end for b in beyond)
    aligned = {p.start: p for p in periods(line, convention, through=last_billed)}
    amount, days, notes = Decimal(0), 0, []
    for record in sorted(beyond, key=lambda b: b.period_start):
        period = aligned.get(record.period_start)
        if period is None:
            raise ValueError(f"line {line.line_id}: billed period {record.period_start} is not "
                             "one of its periods")
        start = max(record.period_start, line.end_on + ONE_DAY)
        result = _prorated(line, start, record.period_end, period, convention)
        amount += result.amount
        days += result.days
        notes.append(result.explanation)
    credit_start = line.end_on + ONE_DAY
    return Charge(line.line_id, ChargeKind.CREDIT, credit_start, last_billed, -amount,
                  explanation="Credit for days billed after the line ended: " + "; ".join(notes))


def due_charges(line: LineTerms, *, as_of: date, billed: Collection[Billed] = (),
                convention: Convention = DEFAULT) -> list[Charge]:
    """Every charge of the line due on `as_of` and not billed yet, in date order."""
    done = {(b.kind, b.period_start) for b in billed}
    charges = []
    if line.billable_from is None:
        return charges
    if not BillingPeriod(line.billing_period).recurring:
        if line.billable_from <= as_of and (ChargeKind.ONE_TIME, line.billable_from) not in done:
            charges.append(Charge(line.line_id, ChargeKind.ONE_TIME, line.billable_from,
                                  line.billable_from, line.amount_per_period))
        return charges
    if not line.usage:
        charges += [_recurring(line, period, convention)
                    for period in periods(line, convention, starting_by=as_of)
                    if (ChargeKind.RECURRING, period.start) not in done]
    credit = _credit(line, billed, convention)
    if credit is not None and (ChargeKind.CREDIT, credit.period_start) not in done:
        charges.append(credit)
    return charges


def usage_periods(line: LineTerms, *, as_of: date, billed: Collection[Billed] = (),
                  convention: Convention = DEFAULT) -> list[Period]:
    """The periods of a usage line that are over on `as_of` (billed in arrears) and unbilled."""
    if not line.usage:
        return []
    done = {b.period_start for b in billed if b.kind == ChargeKind.USAGE}
    return [p for p in periods(line, convention, starting_by=as_of)
            if p.end < as_of and p.start not in done]
