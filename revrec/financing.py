"""A significant financing component (IFRS 15.60-65; ASC 606-10-32-15..20): the time value of
money when payment and transfer are more than a year apart.

    months_between(start, end) -> Decimal
    within_a_year(paid_on, transferred_on) -> bool
    advance(payment, rate, paid_on, transferred_on, currency) -> Financing
    arrears(nominal, rate, transferred_on, paid_on, currency) -> Financing
    instalments(payments, rate, transferred_on, currency) -> Financing
    split_plan(payments, rate, transferred_on, currency, rate_after=None) -> Plan

Pure, over Decimal and dates; no ORM. `revrec.services.financing` stores the component and its
monthly interest, and the recognition run posts it.

The rules:
- Practical expedient (15.63): no adjustment when the customer pays within one year of the
  transfer (either way round).
- The rate (15.64) is the one a separate financing transaction between the entity and the
  customer would carry at contract inception, an annual effective rate compounded over the
  elapsed time: whole calendar months, the part of a month by its days (so a year is exactly a
  year whatever its length).
- Paid in advance (IE Example 29): the entity is financed. Revenue is the payment accreted to
  the transfer, `payment × (1 + rate) ^ years`; the difference is interest expense, accrued
  against the contract liability month by month.
- Paid in arrears (IE Example 26): the entity finances the customer. Revenue is the cash selling
  price, the present value `nominal / (1 + rate) ^ years`; the difference is interest income,
  accrued against the receivable month by month until payment.
- Each month's interest is the change of the rounded cumulative interest at its end, so the
  months add up exactly to the total, which is to the minor unit.
- An instalment plan (IE Example 28) is one component: the expedient holds only when every
  instalment falls within a year of the transfer; otherwise each is accreted (before the
  transfer) or discounted (after it) to the transfer, and the interest to a day is what the
  instalments paid by then are worth at that day (accreted), or what is left to pay is worth
  then (discounted) plus what was paid, against the revenue. `instalments` takes a plan paid
  either before or after the transfer.
- A plan across the transfer (`split_plan`) is two judgements split at the transfer day: the
  instalments paid up to it finance the entity (interest expense to the transfer, IE Example
  29, at its own borrowing rate), those after it finance the customer (interest income from
  the transfer, IE Example 26/28, at the customer's rate: 15.64, the credit characteristics of
  the party financed, so the later part may carry `rate_after`). The practical expedient holds
  per part (15.63: each part's own time between payment and transfer); revenue is the two
  parts' revenue added, each rounded once.

Worked examples (in whole currency units, as the IE's CU):
>>> from decimal import Decimal as D
>>> from datetime import date
>>> # IE Example 29 (IE148-IE151): CU4,000 paid two years before the transfer, at 6%
>>> paid = advance(D(4000), D("0.06"), date(2027, 1, 1), date(2029, 1, 1), "JPY")
>>> paid.revenue, paid.interest, [sum(a for m, a in paid.months if m.year == y)
...                               for y in (2027, 2028)]
(Decimal('4494'), Decimal('494'), [Decimal('240'), Decimal('254')])
>>> # IE Example 26 (IE135-IE140): CU121 payable 24 months after the transfer; cash price 100
>>> owed = arrears(D(121), D("0.10"), date(2027, 1, 1), date(2029, 1, 1), "JPY")
>>> owed.revenue, owed.interest, sum(a for m, a in owed.months if m.year == 2027)
(Decimal('100'), Decimal('21'), Decimal('10'))
>>> # IE Example 28 (IE143-IE147): equipment transferred on signing, 60 monthly instalments of
>>> # CU18,871.23 (CU1 million at a 5% contractual rate); case B: a separate financing would
>>> # carry 12% a year, compounded monthly (1% a month), so revenue is CU848,357 (to the unit)
>>> twelve = (1 + D("0.12") / 12) ** 12 - 1
>>> plan = [(add_months(date(2027, 1, 1), n), D("18871.23")) for n in range(1, 61)]
>>> case_b = instalments(plan, twelve, date(2027, 1, 1), "USD")
>>> case_b.revenue, case_b.interest, case_b.months[0]
(Decimal('848356.87'), Decimal('283916.93'), (datetime.date(2027, 1, 1), Decimal('8483.57')))
>>> # IE Examples 29 and 26 in one plan: CU4,000 two years before the transfer at the entity's
>>> # 6%, CU121 two years after at the customer's 10%: revenue 4,494 + 100
>>> both = split_plan([(date(2027, 1, 1), D(4000)), (date(2031, 1, 1), D(121))], D("0.06"),
...                   date(2029, 1, 1), "JPY", rate_after=D("0.10"))
>>> both.revenue, both.before.interest, both.after.interest
(Decimal('4594'), Decimal('494'), Decimal('21'))
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.dates import add_months
from core.money import round_money

ZERO, ONE, TWELVE = Decimal(0), Decimal(1), Decimal(12)


@dataclass(frozen=True, slots=True)
class Financing:
    revenue: Decimal  # the transaction price of the goods with the financing taken out
    interest: Decimal  # expense (advance) or income (arrears), over the months
    months: tuple[tuple[date, Decimal], ...]  # (first day of the month, interest accrued in it)


def months_between(start: date, end: date) -> Decimal:
    """Whole calendar months from `start` to `end`, plus the part of the next by its days."""
    if end < start:
        raise ValueError("the end comes before the start")
    whole = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, whole) > end:
        whole -= 1
    anchor, following = add_months(start, whole), add_months(start, whole + 1)
    return whole + Decimal((end - anchor).days) / Decimal((following - anchor).days)


def within_a_year(paid_on: date, transferred_on: date) -> bool:
    """The practical expedient of 15.63: payment and transfer at most one year apart."""
    first, last = sorted((paid_on, transferred_on))
    return last <= add_months(first, 12)


def _growth(rate: Decimal, start: date, end: date) -> Decimal:
    return (ONE + rate) ** (months_between(start, end) / TWELVE)


def _check(amount: Decimal, rate: Decimal, start: date, end: date) -> None:
    if amount <= 0:
        raise ValueError("the amount is more than 0")
    if not ZERO < rate < ONE:
        raise ValueError("the annual rate is more than 0 and less than 1 (100%)")
    if within_a_year(start, end):
        raise ValueError("payment and transfer are at most a year apart: no financing "
                         "component (IFRS 15.63)")


def _months(principal: Decimal, final: Decimal, rate: Decimal, start: date, end: date,
            currency: str) -> tuple[tuple[date, Decimal], ...]:
    """Interest per calendar month from `start` to `end`: the change of the rounded cumulative
    interest at each month's end (at `end`, exactly `final - principal`)."""
    months, before = [], ZERO
    month = start.replace(day=1)
    while month < end:
        following = add_months(month, 1)
        if following >= end:
            cumulative = final - principal
        else:
            cumulative = round_money(principal * _growth(rate, start, following), currency) \
                - principal
        months.append((month, cumulative - before))
        before, month = cumulative, following
    return tuple(months)


def advance(payment: Decimal, rate: Decimal, paid_on: date, transferred_on: date,
            currency: str) -> Financing:
    """Paid `payment` on `paid_on` for goods transferred on `transferred_on` (later)."""
    if transferred_on <= paid_on:
        raise ValueError("paid in advance: the transfer comes after the payment")
    _check(payment, rate, paid_on, transferred_on)
    revenue = round_money(payment * _growth(rate, paid_on, transferred_on), currency)
    return Financing(revenue, revenue - payment,
                     _months(payment, revenue, rate, paid_on, transferred_on, currency))


def arrears(nominal: Decimal, rate: Decimal, transferred_on: date, paid_on: date,
            currency: str) -> Financing:
    """`nominal` payable on `paid_on` for goods transferred on `transferred_on` (earlier)."""
    if paid_on <= transferred_on:
        raise ValueError("paid in arrears: the payment comes after the transfer")
    _check(nominal, rate, transferred_on, paid_on)
    revenue = round_money(nominal / _growth(rate, transferred_on, paid_on), currency)
    return Financing(revenue, nominal - revenue,
                     _months(revenue, nominal, rate, transferred_on, paid_on, currency))


def _plan_errors(payments, rate: Decimal, transferred_on: date) -> None:
    if not payments or any(amount <= 0 for _, amount in payments):
        raise ValueError("each instalment is more than 0")
    if not ZERO < rate < ONE:
        raise ValueError("the annual rate is more than 0 and less than 1 (100%)")
    if all(within_a_year(day, transferred_on) for day, _ in payments):
        raise ValueError("every instalment is within a year of the transfer: no financing "
                         "component (IFRS 15.63)")
    if min(day for day, _ in payments) < transferred_on < max(day for day, _ in payments):
        raise ValueError("the instalments fall both before and after the transfer: split "
                         "them at the transfer (split_plan)")


def instalments(payments: Sequence[tuple[date, Decimal]], rate: Decimal,
                transferred_on: date, currency: str) -> Financing:
    """A plan of (due day, amount) instalments for goods transferred on `transferred_on`, all
    paid by then (advance: interest expense) or all from then (arrears: income)."""
    _plan_errors(payments, rate, transferred_on)
    total = sum((amount for _, amount in payments), ZERO)
    advance = max(day for day, _ in payments) <= transferred_on

    def paid(day: date) -> Decimal:
        return sum((a for d, a in payments if d <= day), ZERO)

    def worth(day: date) -> Decimal:
        """Advance: the instalments paid by `day` accreted to it. Arrears: what is left to pay
        discounted to `day`, and what was paid by then."""
        if advance:
            return sum((a * _growth(rate, d, day) for d, a in payments if d <= day), ZERO)
        return sum((a / _growth(rate, day, d) for d, a in payments if d > day), paid(day))

    revenue = round_money(worth(transferred_on), currency)
    start, end = ((min(day for day, _ in payments), transferred_on) if advance
                  else (transferred_on, max(day for day, _ in payments)))

    def cumulative(day: date) -> Decimal:
        return round_money(worth(day), currency) - (paid(day) if advance else revenue)

    interest = abs(total - revenue)
    months, before = [], ZERO
    month = start.replace(day=1)
    while month < end:
        following = add_months(month, 1)
        now = interest if following >= end else cumulative(following)
        months.append((month, now - before))
        before, month = now, following
    return Financing(revenue, interest, tuple(months))


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan split at the transfer: each part's financing (None when it has no instalment or
    the expedient holds for it) and the revenue of the whole."""

    revenue: Decimal
    before: Financing | None  # paid up to the transfer: interest expense
    after: Financing | None  # paid after it: interest income

    @property
    def expedient(self) -> bool:
        """No part carries a financing component (15.63)."""
        return self.before is None and self.after is None


def split_plan(payments: Sequence[tuple[date, Decimal]], rate: Decimal, transferred_on: date,
               currency: str, *, rate_after: Decimal | None = None) -> Plan:
    """A plan of (due day, amount) instalments split at `transferred_on`: those up to it
    accreted at `rate`, those after it discounted at `rate_after` (`rate` when not given),
    each part under the expedient when all of it is within a year of the transfer."""
    if not payments or any(amount <= 0 for _, amount in payments):
        raise ValueError("each instalment is more than 0")
    parts = ([(d, a) for d, a in payments if d <= transferred_on],
             [(d, a) for d, a in payments if d > transferred_on])
    revenue, financed = ZERO, []
    for part, part_rate in zip(parts, (rate, rate if rate_after is None else rate_after),
                               strict=True):
        if not part or all(within_a_year(day, transferred_on) for day, _ in part):
            revenue += sum((a for _, a in part), ZERO)
            financed.append(None)
            continue
        result = instalments(part, part_rate, transferred_on, currency)
        revenue += result.revenue
        financed.append(result)
    return Plan(revenue, *financed)
