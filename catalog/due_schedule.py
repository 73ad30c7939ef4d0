"""When an invoice's money is due, and what paying early saves: pure, over Decimal and dates.

    due_schedule(total, currency, issue_date, terms: TermsSpec, *, holidays=()) -> list[Instalment]
    due_date(issue_date, kind, days) -> date
    next_business_day(day, holidays=()) -> date
    early_discount(total, currency, issue_date, percent, days) -> EarlyDiscount

Payment terms (`TermsSpec`, built by a selector from `customers.PaymentTerms`; the kinds use the
same codes as `customers.models.PaymentTermsKind`):
- NET          net N days: all of it is due N calendar days after the issue date.
- END_OF_MONTH end of month + N: due N days after the last day of the issue date's month
               (issued 10 January on "EOM + 15" is due 15 February).
- NEXT_MONTH_DAY day N of the month after the issue date's, or that month's last day when it is
               shorter (Zuora's "prox" terms: issued 1 January, "the 30th" is due 28 February).
- INSTALMENTS  each instalment is a percent of the total, due `due_days` after the issue date
               or, when the instalment names another basis, on that basis (30% net 0 and 70%
               on the 10th of next month: Odoo's and ERPNext's payment term lines combine so).
               The percents add up to 100.
With `business_days`, a due date on a Saturday, a Sunday or a given holiday moves to the next
business day (never earlier: a customer is never owed less time than the terms give).
Amounts: the total (already rounded to the currency) is split by the percents with
`core.money.allocate`, largest remainder, so the instalments always add up exactly to the
total; an odd minor unit goes to the largest remainder, ties to the earlier instalment.

Early-payment discount ("2/10 net 30"): a payment received on or before the deadline, `days`
after the issue date, settles the invoice for the total less `percent`% of it, the discount
rounded once to the currency (half away from zero).

>>> from datetime import date
>>> from decimal import Decimal as D
>>> thirds = TermsSpec(TermsKind.INSTALMENTS, instalments=(
...     InstalmentTerm(D("33.333"), 0), InstalmentTerm(D("33.333"), 30),
...     InstalmentTerm(D("33.334"), 60)))
>>> for i in due_schedule(D("100.00"), "USD", date(2026, 1, 10), thirds):
...     print(i.due_on, i.amount)
2026-01-10 33.33
2026-02-09 33.33
2026-03-11 33.34
>>> due_schedule(D("1000"), "JPY", date(2026, 1, 10), TermsSpec(TermsKind.END_OF_MONTH, days=15))
[Instalment(due_on=datetime.date(2026, 2, 15), amount=Decimal('1000'))]
>>> offer = early_discount(D("1234.56"), "USD", date(2026, 1, 10), D(2), 10)
>>> offer.deadline, offer.discount, offer.discounted_total
(datetime.date(2026, 1, 20), Decimal('24.69'), Decimal('1209.87'))
"""

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.money import allocate, round_money

HUNDRED = Decimal(100)


class TermsKind(StrEnum):
    NET = "net"
    END_OF_MONTH = "eom"
    NEXT_MONTH_DAY = "next_month_day"
    INSTALMENTS = "instalments"


@dataclass(frozen=True, slots=True)
class InstalmentTerm:
    percent: Decimal
    due_days: int  # N of its basis: days after the issue date unless the basis says otherwise
    basis: TermsKind = TermsKind.NET

    def __post_init__(self):
        object.__setattr__(self, "basis", TermsKind(self.basis))


@dataclass(frozen=True, slots=True)
class TermsSpec:
    kind: TermsKind = TermsKind.NET
    days: int = 30  # N in "net N", "end of month + N" and "day N of next month"
    instalments: tuple[InstalmentTerm, ...] = ()
    business_days: bool = False  # move a due date off weekends and holidays

    def __post_init__(self):
        object.__setattr__(self, "kind", TermsKind(self.kind))
        object.__setattr__(self, "instalments", tuple(self.instalments))
        errors = terms_errors(self)
        if errors:
            raise ValueError("; ".join(errors))


@dataclass(frozen=True, slots=True)
class Instalment:
    due_on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class EarlyDiscount:
    deadline: date  # the last day a payment earns the discount
    discount: Decimal
    discounted_total: Decimal

    def applies(self, paid_on: date) -> bool:
        return paid_on <= self.deadline


def _days_error(kind: TermsKind, days: int) -> str:
    if kind is TermsKind.NEXT_MONTH_DAY and not 1 <= days <= 31:
        return "The day of the next month is between 1 and 31."
    return "" if days >= 0 else "The number of days cannot be negative."


def terms_errors(terms: TermsSpec) -> list[str]:
    """What is wrong with a set of terms, in words a person can fix (empty when valid)."""
    if terms.kind is not TermsKind.INSTALMENTS:
        errors = [e for e in [_days_error(terms.kind, terms.days)] if e]
        if terms.instalments:
            errors.append(f"Terms of kind {terms.kind} have no instalments.")
        return errors
    if not terms.instalments:
        return ["An instalment plan needs at least one instalment."]
    errors = []
    for number, item in enumerate(terms.instalments, start=1):
        if not Decimal(0) < item.percent <= HUNDRED:
            errors.append(f"Instalment {number}: the percent is above 0 and at most 100.")
        if item.basis is TermsKind.INSTALMENTS:
            errors.append(f"Instalment {number}: an instalment cannot be due by instalments.")
        elif item.basis is TermsKind.NEXT_MONTH_DAY and not 1 <= item.due_days <= 31:
            errors.append(f"Instalment {number}: the day of the next month is between 1 and 31.")
        elif item.due_days < 0:
            errors.append(f"Instalment {number}: the due days cannot be negative.")
    total = sum((item.percent for item in terms.instalments), Decimal(0))
    if total != HUNDRED:
        errors.append(f"The instalments add up to {total}%, not 100%.")
    return errors


def _check_rounded(total: Decimal, currency: str) -> None:
    if round_money(total, currency) != total:
        raise ValueError(f"{total} is not rounded to {currency.upper()}'s minor unit")


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date(issue_date: date, kind: TermsKind, days: int) -> date:
    """The calendar due date of net N, end of month + N or day N of the next month."""
    if kind is TermsKind.NET:
        return issue_date + timedelta(days=days)
    if kind is TermsKind.END_OF_MONTH:
        return end_of_month(issue_date) + timedelta(days=days)
    if kind is TermsKind.NEXT_MONTH_DAY:
        next_month = end_of_month(issue_date) + timedelta(days=1)
        return next_month.replace(day=min(days, end_of_month(next_month).day))
    raise ValueError(f"{kind} is not a single due date")


def next_business_day(day: date, holidays: Collection[date] = ()) -> date:
    """The day itself when it is a weekday and no holiday, else the first one after it."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def due_schedule(total: Decimal, currency: str, issue_date: date, terms: TermsSpec, *,
                 holidays: Collection[date] = ()) -> list[Instalment]:
    """The due dates and amounts of an invoice, in date order, adding up exactly to its total."""
    _check_rounded(total, currency)
    if terms.kind is TermsKind.INSTALMENTS:
        amounts = allocate(total, [item.percent for item in terms.instalments], currency)
        dates = [due_date(issue_date, item.basis, item.due_days) for item in terms.instalments]
    else:
        amounts, dates = [total], [due_date(issue_date, terms.kind, terms.days)]
    if terms.business_days:
        dates = [next_business_day(day, holidays) for day in dates]
    schedule = [Instalment(day, amount) for day, amount in zip(dates, amounts, strict=True)]
    return sorted(schedule, key=lambda instalment: instalment.due_on)


def early_discount(total: Decimal, currency: str, issue_date: date, percent: Decimal,
                   days: int) -> EarlyDiscount:
    """What a payment by `issue_date + days` settles the invoice for, the discount rounded once."""
    _check_rounded(total, currency)
    if not Decimal(0) <= percent <= HUNDRED:
        raise ValueError("an early-payment discount is between 0 and 100 percent")
    if days < 0:
        raise ValueError("the discount window cannot be negative")
    discount = round_money(total * percent / HUNDRED, currency)
    return EarlyDiscount(issue_date + timedelta(days=days), discount, total - discount)
