"""The formulas behind the analytics page, over plain numbers (the selectors aggregate them).

Each function states its definition; the page shows the same words beside each figure.
"""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
RATIO_PLACES = Decimal("0.1")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal; None when there is no whole to compare."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(RATIO_PLACES)


@dataclass(frozen=True)
class MrrMovement:
    """How one month's MRR moved from the previous month's, account by account:
    new (had none, has some), expansion (had some, has more), contraction (had some, has less
    but not none) and churn (had some, has none). Opening + movements = closing, exactly."""

    opening: Decimal
    new: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.new + self.expansion - self.contraction - self.churn


def movement_of(previous: Decimal, current: Decimal) -> MrrMovement:
    """One account's movement (the selectors compute the same sums in SQL over every account).

    Only the tests call it, and it stays on purpose: it is the written definition of new,
    expansion, contraction and churn that the SQL in `analytics.selectors.mrr_months` follows,
    and the property "opening + movements = closing" is pinned on it in plain Python."""
    if not previous:
        return MrrMovement(ZERO, current, ZERO, ZERO, ZERO)
    if not current:
        return MrrMovement(previous, ZERO, ZERO, ZERO, previous)
    if current >= previous:
        return MrrMovement(previous, ZERO, current - previous, ZERO, ZERO)
    return MrrMovement(previous, ZERO, ZERO, previous - current, ZERO)


def net_revenue_retention(starting: Decimal, retained_with_expansion: Decimal) -> Decimal | None:
    """NRR: what the accounts paying a year ago pay now (expansion included, new accounts not),
    as a percentage of what they paid then."""
    return percent(retained_with_expansion, starting)


def gross_revenue_retention(starting: Decimal, retained_capped: Decimal) -> Decimal | None:
    """GRR: the same, each account capped at what it paid a year ago (so expansion cannot hide
    churn and contraction); never above 100%."""
    return percent(retained_capped, starting)


def collection_effectiveness(opening: Decimal, billed: Decimal, closing: Decimal,
                             closing_current: Decimal) -> Decimal | None:
    """CEI: (opening receivables + billed − closing receivables) divided by (opening receivables +
    billed − closing receivables not yet due), as a percentage: 100% means everything that fell
    due in the period was collected."""
    return percent(opening + billed - closing, opening + billed - closing_current)
