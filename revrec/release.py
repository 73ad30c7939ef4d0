"""What a recognition run posts for one revenue contract in one month, in the functional currency.

    release(position_before, *, recognized, billed, billed_functional, rate, currency,
            functional_currency) -> Release

Pure, over Decimal; no ORM. Amounts are cumulative to date, so a month's posting is the change
of the cumulative figures and rounding never drifts.

The accounting rules:
- Deferred revenue is released at the rate it was booked at. Revenue recognized up to what was
  billed is converted at the billed amounts' average booked rate, as a cumulative share of the
  billed functional amount (recognized to date / billed to date × billed functional), so when
  everything billed is recognized exactly the billed functional amount has been released.
- Revenue recognized beyond what was billed has no booked rate yet: it is converted at the
  month's rate (`rate`), and shown as a contract asset (unbilled receivable).
- Revenue once recognized is never remeasured: when billing catches up with revenue recognized
  ahead of it, or a new invoice at another rate moves the average booked rate, the change in
  the functional value of what was recognized before is an exchange difference (`fx`: a gain
  when positive), not revenue.
- The contract's position after the month is billed less recognized (functional): a credit
  balance is a contract liability (deferred revenue), a debit balance a contract asset. One
  reclass moves the change of the asset between deferred revenue and unbilled receivable.
"""

from decimal import Decimal
from typing import NamedTuple

from core.money import round_money

ZERO = Decimal(0)


# Named tuples, not dataclasses: a run makes one of each per revenue contract, and a frozen
# dataclass costs about three times as much to make (a call per field)
class Position(NamedTuple):
    recognized: Decimal = ZERO  # to date, contract currency
    recognized_functional: Decimal = ZERO  # to date
    contract_asset: Decimal = ZERO  # functional, after the last run


class Release(NamedTuple):
    revenue: Decimal  # this month, functional (credit revenue, debit deferred revenue)
    fx: Decimal  # exchange difference on what was recognized before (credit when positive)
    reclass: Decimal  # change of the contract asset: > 0 debit unbilled receivable
    after: Position


def _functional_to_date(recognized: Decimal, billed: Decimal, billed_functional: Decimal,
                        rate: Decimal, functional_currency: str) -> Decimal:
    if billed <= 0:
        return round_money(recognized * rate, functional_currency)
    covered = min(recognized, billed)
    booked = round_money(billed_functional * covered / billed, functional_currency)
    beyond = round_money((recognized - covered) * rate, functional_currency)
    return booked + beyond


def release(before: Position, *, recognized: Decimal, billed: Decimal,
            billed_functional: Decimal, rate: Decimal, currency: str,
            functional_currency: str) -> Release:
    """The month's revenue and reclass, from the cumulative recognized and billed amounts."""
    to_date = before.recognized + recognized
    if round_money(to_date, currency) != to_date:
        raise ValueError(f"{to_date} is not rounded to {currency}")
    functional = _functional_to_date(to_date, billed, billed_functional, rate,
                                     functional_currency)
    earlier = _functional_to_date(before.recognized, billed, billed_functional, rate,
                                  functional_currency) if before.recognized else ZERO
    asset = max(functional - billed_functional, ZERO)
    return Release(revenue=functional - earlier, fx=earlier - before.recognized_functional,
                   reclass=asset - before.contract_asset,
                   after=Position(to_date, functional, asset))
