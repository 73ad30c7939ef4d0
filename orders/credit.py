"""The credit decision and the first-year value it weighs; pure, no ORM.

Rule: an order passes when the account is not flagged overdue and, if the account has a credit
limit (a limit of 0 means none is set), its open receivable plus the order's first-year value,
both in the account's currency, stays within the limit. An order in another currency than the
account's cannot be weighed against the limit, so it waits for finance.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import round_money

ZERO = Decimal("0")
YEAR_MONTHS = 12


@dataclass(frozen=True)
class LineValue:
    """What a contract line bills: per period (`period_months`, 0 for one-time) and in total."""

    period_months: int
    amount_per_period: Decimal
    net_amount: Decimal


def first_year_value(lines: Iterable[LineValue], currency: str) -> Decimal:
    """What the lines bill in their first twelve months: a one-time line its net amount, a
    recurring line one amount per period for the periods that start in the first year, never
    more than its net over the term (a shorter term bills less)."""
    total = ZERO
    for line in lines:
        if line.period_months == 0:
            total += line.net_amount
            continue
        periods = -(-YEAR_MONTHS // line.period_months)  # periods starting within 12 months
        total += min(line.amount_per_period * periods, line.net_amount)
    return round_money(total, currency)


@dataclass(frozen=True)
class CreditSnapshot:
    account_currency: str
    order_currency: str
    credit_limit: Decimal  # in the account's currency; 0 means no limit is set
    open_receivable: Decimal  # the account's open receivable in its own currency
    order_value: Decimal  # the order's first-year value, in the order's currency
    is_overdue: bool
    overdue_since: date | None = None


@dataclass(frozen=True)
class CreditDecision:
    approved: bool
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _amount(value: Decimal, currency: str) -> str:
    return f"{currency} {round_money(value, currency):,}"


def credit_decision(snapshot: CreditSnapshot) -> CreditDecision:
    """Approve, or hold with every reason that applies (each one states its figures)."""
    s = snapshot
    reasons = []
    if s.is_overdue:
        since = f" since {s.overdue_since:%Y-%m-%d}" if s.overdue_since else ""
        reasons.append(f"The account is flagged overdue{since}.")
    if s.order_currency != s.account_currency:
        reasons.append(f"The order is in {s.order_currency} but the account's credit is kept "
                       f"in {s.account_currency}: check the exposure by hand.")
    elif s.credit_limit > 0:
        exposure = s.open_receivable + s.order_value
        if exposure > s.credit_limit:
            reasons.append(
                f"Open receivable {_amount(s.open_receivable, s.account_currency)} plus this "
                f"order's first-year value {_amount(s.order_value, s.account_currency)} is "
                f"{_amount(exposure, s.account_currency)}, over the credit limit of "
                f"{_amount(s.credit_limit, s.account_currency)} by "
                f"{_amount(exposure - s.credit_limit, s.account_currency)}.")
    return CreditDecision(approved=not reasons, reasons=tuple(reasons))
