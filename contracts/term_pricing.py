"""What part of a contract line's price falls after a date: pure, over Decimal and dates; no ORM.

    split_period(amount, currency, *, period_start, period_end, at, convention) -> Split
    rest_of_term(amount, currency, *, period_months, anchor, term_end, effective_on,
                 convention) -> RestOfTerm

A line bills `amount` per period; periods start on the contract's start day (its anchor) every
`period_months` months (`catalog.proration.billing_periods`). An amendment or termination from
`effective_on` splits the period that holds that day in two and keeps every later period whole.

Day-count convention: `catalog.proration.Convention`, from the setting PRORATION_CONVENTION
(default "actual": calendar days, start day included, end day excluded; "30/360"; "+last_day"
when end dates are read as billed). Here every end date *argument* is inclusive (the last day
of service, as contract lines store it); the convention decides how days are counted.

Rounding point: the period's amount is split by `core.money.allocate` in proportion to the days
before and from `effective_on`, so the two pieces always add up exactly to the period's amount
(never "the last piece takes the rest"). Each piece carries its explanation
("19 of 31 days × $100.00 = $61.29").

>>> from datetime import date
>>> from decimal import Decimal as D
>>> s = split_period(D("100.00"), "USD", period_start=date(2026, 1, 1),
...                  period_end=date(2026, 1, 31), at=date(2026, 1, 13))
>>> s.before.explanation, s.after.explanation
('12 of 31 days × $100.00 = $38.71', '19 of 31 days × $100.00 = $61.29')
>>> r = rest_of_term(D("100.00"), "USD", period_months=1, anchor=date(2026, 1, 1),
...                  term_end=date(2026, 12, 31), effective_on=date(2026, 10, 13))
>>> r.amount, r.explanation
(Decimal('261.29'), '19 of 31 days × $100.00 = $61.29 + 2 periods × $100.00 = $261.29')
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from catalog.proration import (
    DEFAULT,
    Convention,
    Proration,
    billing_periods,
    days_used,
    format_amount,
    period_days,
)
from core.money import allocate, round_money

ONE_DAY = timedelta(days=1)
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


@dataclass(frozen=True, slots=True)
class Split:
    """A period's amount in two pieces: before `at`, and from `at` on; they add up exactly."""

    before: Proration
    after: Proration


def split_period(amount: Decimal, currency: str, *, period_start: date, period_end: date,
                 at: date, convention: Convention = DEFAULT) -> Split:
    """Split one period's amount at a day (the first day of the second piece)."""
    if not period_start <= at <= period_end + ONE_DAY:
        raise ValueError(f"{at} is outside the period {period_start} to {period_end}")
    end = convention.written_end(period_end + ONE_DAY)
    total = period_days(period_start, end, convention)
    if total == 0:
        raise ValueError("a period must hold at least one day")
    first = days_used(period_start, convention.written_end(at), period_start, end, convention)
    second = total - first
    amount = round_money(amount, currency)
    before, after = allocate(amount, [first, second], currency)
    return Split(Proration(currency, amount, first, total, before, convention),
                 Proration(currency, amount, second, total, after, convention))


@dataclass(frozen=True, slots=True)
class RestOfTerm:
    currency: str
    amount_per_period: Decimal
    pieces: tuple[Proration, ...]  # prorated parts of periods (the one holding the day, a short
    whole_periods: int  # last one); and the later periods, each billed in full
    amount: Decimal

    @property
    def explanation(self) -> str:
        parts = [piece.explanation for piece in self.pieces if piece.days]
        if self.whole_periods:
            word = "period" if self.whole_periods == 1 else "periods"
            parts.append(f"{self.whole_periods} {word} × "
                         f"{format_amount(self.amount_per_period, self.currency)}")
        if not parts:
            return f"no days left in the term = {format_amount(self.amount, self.currency)}"
        if len(parts) == 1 and not self.whole_periods:
            return parts[0]
        return f"{' + '.join(parts)} = {format_amount(self.amount, self.currency)}"


def rest_of_term(amount: Decimal, currency: str, *, period_months: int, anchor: date,
                 term_end: date, effective_on: date,
                 convention: Convention = DEFAULT) -> RestOfTerm:
    """The line's price from `effective_on` to `term_end` (inclusive): the rest of the period
    that holds the day, plus each later period (a last period cut short by the term end is
    prorated over its whole period, as billing does)."""
    amount = round_money(amount, currency)
    slices = billing_periods(anchor, convention.written_end(term_end + ONE_DAY), period_months,
                             bill_day=anchor.day, convention=convention)
    pieces, whole = [], 0
    for piece in slices:
        start, last = piece.start, convention.exclusive_end(piece.end) - ONE_DAY
        if last < effective_on:
            continue
        share = amount
        if piece.partial:  # this slice's own share of its whole period
            p_last = convention.exclusive_end(piece.period_end) - ONE_DAY
            cut = split_period(amount, currency, period_start=piece.period_start,
                               period_end=p_last, at=last + ONE_DAY, convention=convention)
            share = cut.before if start == piece.period_start else cut.after
        if start < effective_on:
            base = share.amount if isinstance(share, Proration) else share
            pieces.append(split_period(base, currency, period_start=start, period_end=last,
                                       at=effective_on, convention=convention).after)
        elif isinstance(share, Proration):
            pieces.append(share)
        else:
            whole += 1
    total = sum((p.amount for p in pieces), Decimal(0)) + amount * whole
    return RestOfTerm(currency, amount, tuple(pieces), whole, total)
