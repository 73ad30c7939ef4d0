"""The credit of the days a billing pause blocked: pure, over Decimal and dates; no ORM.

    blocked_credits(charges, *, paused_on, resumed_on) -> list[BlockedCredit]
    credit_totals(credits) -> dict[str, Decimal]

A pause blocks service from `paused_on` up to `resumed_on` (exclusive: the first day billed
again), as Zuora's suspend ("suspend date" to "resume date") and Chargebee's pause ("pause
date" to "resume date") count it. Each recurring charge (one schedule row: its own period and
amount) is credited for the blocked days inside its period, prorated with its contract line's
day-count convention by `catalog.proration.prorate` (the one rounding point: per charge, to the
currency's minor unit, half away from zero); the credit of a contract line over several periods
is the sum of its rounded period credits, and a currency's total the sum of its lines'.

Worked example ($100.00 a month, paused on 20 January, resumed on 5 March; the January period
was billed before the pause, February's and March's were held and billed after resume):
>>> from datetime import date
>>> from decimal import Decimal as D
>>> from catalog.proration import Convention, DayCount
>>> jan = Charge(1, 7, "EUR", D("100.00"), date(2026, 1, 1), date(2026, 2, 1))
>>> feb = Charge(2, 7, "EUR", D("100.00"), date(2026, 2, 1), date(2026, 3, 1))
>>> mar = Charge(3, 7, "EUR", D("100.00"), date(2026, 3, 1), date(2026, 4, 1))
>>> credits = blocked_credits([jan, feb, mar], paused_on=date(2026, 1, 20),
...                           resumed_on=date(2026, 3, 5))
>>> [(c.amount, c.explanation) for c in credits]  # doctest: +NORMALIZE_WHITESPACE
[(Decimal('38.71'), '12 of 31 days blocked × €100.00 = €38.71'),
 (Decimal('100.00'), '28 of 28 days blocked × €100.00 = €100.00'),
 (Decimal('12.90'), '4 of 31 days blocked × €100.00 = €12.90')]
>>> credit_totals(credits)
{'EUR': Decimal('151.61')}
>>> thirty = Charge(1, 7, "EUR", D("100.00"), date(2026, 1, 1), date(2026, 2, 1),
...                 Convention(DayCount.THIRTY_360))
>>> blocked_credits([thirty], paused_on=date(2026, 1, 20),
...                 resumed_on=date(2026, 3, 5))[0].explanation
'11 of 30 days blocked (30/360) × €100.00 = €36.67'
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog.proration import DEFAULT, Convention, prorate
from core.formatting import format_rate


@dataclass(frozen=True, slots=True)
class Charge:
    """One recurring charge of a contract line: the amount of a period [start, end)."""

    charge_id: int  # the schedule row
    line_id: int  # the contract line
    currency: str
    amount: Decimal
    period_start: date
    period_end: date  # exclusive: the first day of the next period
    convention: Convention = DEFAULT


@dataclass(frozen=True, slots=True)
class BlockedCredit:
    charge_id: int
    line_id: int
    currency: str
    days: int  # blocked days inside the period, under the line's convention
    period_days: int
    amount: Decimal  # rounded to the currency
    explanation: str  # "12 of 31 days blocked × €100.00 = €38.71"


def _check_window(paused_on: date, resumed_on: date) -> None:
    if resumed_on < paused_on:
        raise ValueError(f"billing resumes ({resumed_on}) before it was paused ({paused_on})")


def blocked_credits(charges: Iterable[Charge], *, paused_on: date, resumed_on: date
                    ) -> list[BlockedCredit]:
    """The credit of each charge's blocked days (charges with none blocked are left out)."""
    _check_window(paused_on, resumed_on)
    credits = []
    for charge in charges:
        p = prorate(charge.amount, charge.currency, service_start=paused_on,
                    service_end=resumed_on, period_start=charge.period_start,
                    period_end=charge.period_end, convention=charge.convention)
        if not p.days or not p.amount:
            continue
        note = f" ({p.convention.label})" if p.convention.label else ""
        credits.append(BlockedCredit(
            charge.charge_id, charge.line_id, p.currency, p.days, p.period_days, p.amount,
            f"{p.days} of {p.period_days} days blocked{note} × "
            f"{format_rate(p.full_amount, p.currency)} = {format_rate(p.amount, p.currency)}"))
    return credits


def credit_totals(credits: Iterable[BlockedCredit]) -> dict[str, Decimal]:
    """What is credited per currency: the sum of the rounded credits."""
    totals = defaultdict(lambda: Decimal(0))
    for credit in credits:
        totals[credit.currency] += credit.amount
    return dict(totals)
