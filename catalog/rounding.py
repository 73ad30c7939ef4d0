"""Rounding policies a price book chooses, and cash rounding; pure, no ORM.

    RoundingMode        half_up (ties away from zero: 2.345 → 2.35 and −2.345 → −2.35) or
                        half_even (ties to the even digit: 2.345 → 2.34, 2.355 → 2.36)
    RoundingPolicy      the mode, where tax is rounded (per line or per document, catalog.tax;
                        None: the company default), the cash-rounding step and, for
                        tax-inclusive prices, whether the net or the tax is rounded first, as
                        a price book keeps them and a priced line's snapshot records them
    cash_round(total, currency, step, mode) -> CashRounding
    credited_cash_rounding(...) -> Decimal   the share of an invoice's rounding a credit note
                        takes back

Where the money is rounded does not change: once per line per period (catalog.pricing), then
the rounded lines are added; tax per line or per document (catalog.tax). The policy only says
how a tie is broken and whether the total is then brought to a cash step.

Remainders (which line takes the odd cent): every split of a rounded whole, whatever the mode,
goes through `core.money.allocate`: each part gets the floor of its exact share in minor units,
and the minor units left over go one each to the parts with the largest remainders, ties to the
earlier part. A negative whole is split as the mirror of its positive (−0.10 in three equal parts
is −0.04, −0.03, −0.03, the sign-flipped 0.04, 0.03, 0.03), so a credit note undoes its
invoice's split cent for cent.

Cash rounding (Odoo's "cash rounding", the Swiss 5-centime rule): when the smallest coin is
larger than the currency's minor unit, the document total is brought to a multiple of `step`
and the difference is its own line (an "add a rounding line" strategy), never hidden in a price
or a tax. CHF 10.02 → 10.00 (−0.02), CHF 10.025 is no total (not rounded to the centime), CHF
10.03 → 10.05 (+0.02).

>>> from decimal import Decimal as D
>>> cash_round(D("10.03"), "CHF", D("0.05"))
CashRounding(total=Decimal('10.03'), rounded=Decimal('10.05'), adjustment=Decimal('0.02'))
>>> cash_round(D("-10.075"), "KWD", D("0.050"), RoundingMode.HALF_EVEN).rounded
Decimal('-10.100')
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from catalog.tax import InclusiveRounding, TaxRounding
from core.money import quantum, round_money


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal(self) -> str:
        """The `decimal` module's constant for this mode (ROUND_HALF_UP is symmetric)."""
        return ROUND_HALF_UP if self is RoundingMode.HALF_UP else ROUND_HALF_EVEN


@dataclass(frozen=True, slots=True)
class RoundingPolicy:
    """How one price book rounds: the tie rule, the tax rounding point, the cash step and which
    of net and tax a tax-inclusive price rounds first."""

    mode: RoundingMode = RoundingMode.HALF_UP
    tax: TaxRounding | None = None  # None: the company default (catalog.policies)
    cash_step: Decimal | None = None
    inclusive: InclusiveRounding = InclusiveRounding.TAX_FIRST

    def __post_init__(self):
        object.__setattr__(self, "mode", RoundingMode(self.mode))
        object.__setattr__(self, "inclusive", InclusiveRounding(self.inclusive))
        if self.tax is not None:
            object.__setattr__(self, "tax", TaxRounding(self.tax))
        if self.cash_step is not None and self.cash_step <= 0:
            raise ValueError("a cash-rounding step is greater than zero")

    def to_dict(self) -> dict:
        data = {"mode": str(self.mode), "tax": None if self.tax is None else str(self.tax),
                "cash_step": None if self.cash_step is None
                else format(self.cash_step.normalize(), "f")}
        if self.inclusive is not InclusiveRounding.TAX_FIRST:  # snapshots made before it: tax
            data["inclusive"] = str(self.inclusive)
        return data

    @classmethod
    def from_dict(cls, data) -> "RoundingPolicy":
        step, tax = data.get("cash_step"), data.get("tax")
        return cls(RoundingMode(data.get("mode", RoundingMode.HALF_UP)),
                   None if tax is None else TaxRounding(tax),
                   None if step is None else Decimal(step),
                   InclusiveRounding(data.get("inclusive", InclusiveRounding.TAX_FIRST)))


@dataclass(frozen=True, slots=True)
class CashRounding:
    total: Decimal
    rounded: Decimal
    adjustment: Decimal  # rounded − total: the cash-rounding line, positive or negative


def cash_step_error(step: Decimal, currency: str) -> str:
    """Why `step` cannot be the currency's cash step ("" when it can)."""
    if step <= 0:
        return "The cash-rounding step must be greater than zero."
    if round_money(step, currency) != step:
        return f"The cash-rounding step must be a whole number of {currency}'s minor unit."
    return ""


def cash_round(total: Decimal, currency: str, step: Decimal,
               mode: RoundingMode = RoundingMode.HALF_UP) -> CashRounding:
    """The total brought to the nearest multiple of `step` (ties by `mode`), and the
    difference; |adjustment| ≤ step / 2, and a total already on a step is left alone."""
    if round_money(total, currency) != total:
        raise ValueError(f"{total} is not rounded to {currency.upper()}'s minor unit")
    error = cash_step_error(step, currency)
    if error:
        raise ValueError(error)
    steps = (total / step).quantize(Decimal(1), rounding=RoundingMode(mode).decimal)
    rounded = (steps * step).quantize(quantum(currency))
    return CashRounding(total, rounded, rounded - total)


def credited_cash_rounding(*, credited_before: Decimal, rounding_before: Decimal,
                           credited_now: Decimal, currency: str, step: Decimal,
                           mode: RoundingMode = RoundingMode.HALF_UP) -> Decimal:
    """The share of an invoice's cash rounding a credit note takes back: the rounding of
    everything credited so far (gross, this note included), less what earlier notes took back.
    So every note's total (gross + its rounding) is on a step, and notes that credit the whole
    invoice take back exactly its rounding, whatever the parts.

    >>> from decimal import Decimal as D
    >>> first = credited_cash_rounding(credited_before=D(0), rounding_before=D(0),
    ...                                credited_now=D("5.01"), currency="CHF", step=D("0.05"))
    >>> first, credited_cash_rounding(credited_before=D("5.01"), rounding_before=first,
    ...                               credited_now=D("5.02"), currency="CHF", step=D("0.05"))
    (Decimal('-0.01'), Decimal('0.03'))
    """
    so_far = cash_round(credited_before + credited_now, currency, step, mode)
    return so_far.adjustment - rounding_before
