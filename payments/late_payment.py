"""Late payment maths: fees, interest and the order a payment clears what is open. Pure: plain
values in and out, no ORM, no clock.

Fees (one per dunning level, as Tryton's account_dunning_fee and ERPNext's dunning type charge
them): a fixed amount, a percentage of what is overdue, or both; each rounded once to the
currency.

Interest (EU Late Payment Directive 2011/7/EU art. 2(6)-(7) and 3; BGB §288): simple interest
on the overdue principal by day from the day after the due date through `end`, at the
reference rate in force each day plus a margin in percentage points (statutory), or at a fixed
contractual rate (a reference of 0 plus the contract's rate as margin). The day-count basis
divides by 365 (act/365: UK Late Payment Act, ERPNext) or 360 (act/360: SAP Business One's
default "days in year"). The sum over rate periods is rounded once, at the end.

Order of clearing (BGB §367(1): "first to the costs, then to the interest and lastly to the
principal"): where the account's country requires it, a payment clears fees, then interest,
then principal; elsewhere principal first. Within a kind, oldest first (the order given).

>>> from datetime import date
>>> from decimal import Decimal as D
>>> late_fee(D("262.25"), fixed=D("40"), percent=D("0"), currency="GBP")
Decimal('40.00')
>>> late_interest(D("262.25"), due_on=date(2013, 1, 1), end=date(2013, 5, 20),
...               reference=(RatePeriod(date(2009, 3, 5), D("0.5")),), margin=D("8"),
...               basis=DayCount.ACT_365, currency="GBP").amount
Decimal('8.49')
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.money import round_money

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class DayCount(StrEnum):
    ACT_365 = "act/365"
    ACT_360 = "act/360"

    @property
    def days_in_year(self) -> int:
        return 360 if self is DayCount.ACT_360 else 365


class Kind(StrEnum):
    """What an open amount is, in the order BGB §367(1) clears them."""

    COSTS = "costs"  # late fees and recovery costs
    INTEREST = "interest"
    PRINCIPAL = "principal"  # the invoices themselves


class ClearingOrder(StrEnum):
    COSTS_INTEREST_PRINCIPAL = "costs_interest_principal"  # BGB §367(1), ABGB §1416
    PRINCIPAL_FIRST = "principal_first"

    @property
    def kinds(self) -> tuple[Kind, ...]:
        if self is ClearingOrder.COSTS_INTEREST_PRINCIPAL:
            return (Kind.COSTS, Kind.INTEREST, Kind.PRINCIPAL)
        return (Kind.PRINCIPAL, Kind.COSTS, Kind.INTEREST)


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """A reference rate (percent a year) in force from `starts_on` until the next period."""

    starts_on: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class InterestSlice:
    """Days from `first` through `last` at `rate` (reference + margin, percent a year)."""

    first: date
    last: date
    days: int
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Interest:
    amount: Decimal
    days: int
    slices: tuple[InterestSlice, ...]


def late_fee(overdue: Decimal, *, fixed: Decimal, percent: Decimal, currency: str) -> Decimal:
    """A level's fee: the fixed amount plus `percent` of what is overdue, rounded once."""
    if overdue <= 0:
        return ZERO
    return round_money(fixed + overdue * percent / HUNDRED, currency)


def _slices(reference: Sequence[RatePeriod], margin: Decimal, first: date,
            last: date) -> list[InterestSlice]:
    periods = sorted(reference, key=lambda p: p.starts_on)
    if not periods or periods[0].starts_on > first:
        raise ValueError(f"no reference rate is in force on {first:%Y-%m-%d}")
    slices = []
    for i, period in enumerate(periods):
        ends = periods[i + 1].starts_on - timedelta(days=1) if i + 1 < len(periods) else last
        start, stop = max(first, period.starts_on), min(last, ends)
        if start <= stop:
            slices.append(InterestSlice(start, stop, (stop - start).days + 1,
                                        period.rate + margin))
    return slices


def statutory_terms(country: str, currency: str,
                    rates: Mapping[tuple[str, str], Sequence[RatePeriod]],
                    margins: Mapping[str, Decimal], default_margin: Decimal
                    ) -> tuple[tuple[RatePeriod, ...], Decimal]:
    """The reference rates and margin of statutory interest owed by a debtor in `country` on a
    debt in `currency`: the country's own series of the currency where its law names one
    (Germany's Basiszinssatz, BGB §247), else the currency's (the ECB rate, as France's
    Code de commerce L441-10 takes it); the country's margin (BGB §288(2): 9 points between
    businesses; L441-10: 10 points), else the policy's (Directive 2011/7/EU art. 2(6): at
    least 8 points)."""
    country = (country or "").upper()
    reference = rates.get((currency, country)) or rates.get((currency, ""), ())
    return tuple(reference), margins.get(country, default_margin)


def late_interest(principal: Decimal, *, due_on: date, end: date,
                  reference: Sequence[RatePeriod], margin: Decimal, basis: DayCount,
                  currency: str, since: date | None = None) -> Interest:
    """Simple interest on `principal` for each day after `due_on` (or after `since`, the last
    day already charged) through `end`, at the rate in force that day; rounded once."""
    first = max(due_on, since or due_on) + timedelta(days=1)
    if principal <= 0 or end < first:
        return Interest(ZERO, 0, ())
    slices = tuple(_slices(reference, margin, first, end))
    exact = sum((principal * s.rate * s.days for s in slices), ZERO) / (
        HUNDRED * basis.days_in_year)
    return Interest(round_money(exact, currency), sum(s.days for s in slices), slices)


@dataclass(frozen=True, slots=True)
class Open:
    """Something open on the account: a late charge (costs or interest) or an invoice."""

    kind: Kind
    key: object  # the caller's id for it
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Cleared:
    key: object
    kind: Kind
    amount: Decimal


def clearing(amount: Decimal, items: Sequence[Open], order: ClearingOrder) -> list[Cleared]:
    """How `amount` clears the open items: kind by kind in `order`, oldest first within a kind
    (the order given), each fully while the amount lasts. The parts add up to the amount or to
    everything open, whichever is less, and none exceeds what its item has open."""
    left, cleared = amount, []
    for kind in order.kinds:
        for item in items:
            if item.kind is not kind or left <= 0 or item.amount <= 0:
                continue
            part = min(left, item.amount)
            cleared.append(Cleared(item.key, kind, part))
            left -= part
    return cleared
