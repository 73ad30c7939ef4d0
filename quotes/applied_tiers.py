"""What a tiered price charges, tier by tier, for a document to show: pure, no ORM.

    applied_tiers(spec, quantity) -> tuple[AppliedTier, ...]

A graduated price charges each tier for the units inside it (plus its flat fee once reached);
a volume price charges every unit at the tier the quantity reaches. `catalog.pricing` computes
the charge; this lays it out per tier so the quote shows the tiers applied instead of a unit
price of $0.00 (a unit rate below one cent rounds to nothing in the currency). Quantities are
the billable ones: the units a price includes free are taken off first, as the pricing does.
"""

from dataclasses import dataclass
from decimal import Decimal

from catalog.pricing import PriceModel, PriceSpec, tier_charges, volume_tier

TIERED = (PriceModel.GRADUATED, PriceModel.VOLUME)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class AppliedTier:
    """One tier of a price: its range (above `above`, None for the first; up to and including
    `up_to`, None for the last), its rates, and what it charges at the line's quantity for one
    period, unrounded (`units` and `amount` 0: not reached)."""

    number: int
    above: Decimal | None
    up_to: Decimal | None
    unit_amount: Decimal
    flat_amount: Decimal
    block_size: Decimal | None
    units: Decimal
    amount: Decimal

    @property
    def reached(self) -> bool:
        return self.units > 0 or self.amount > 0


def applied_tiers(spec: PriceSpec, quantity: Decimal) -> tuple[AppliedTier, ...]:
    """Every tier of a graduated or volume price with what it charges for `quantity` in one
    period (their amounts add up to the tiered charge); empty for any other price."""
    if spec.model not in TIERED:
        return ()
    billable = max(quantity - spec.included_units, ZERO)
    if spec.model is PriceModel.GRADUATED:
        charged = {c.tier: (c.quantity, c.amount) for c in tier_charges(spec, billable)}
    elif billable:
        reached = volume_tier(spec.tiers, billable)
        number = spec.tiers.index(reached) + 1
        charged = {number: (billable, reached.units_amount(billable) + reached.flat_amount)}
    else:
        charged = {1: (ZERO, spec.tiers[0].flat_amount)} if spec.charge_at_zero else {}
    out, above = [], None
    for number, tier in enumerate(spec.tiers, start=1):
        units, amount = charged.get(number, (ZERO, ZERO))
        out.append(AppliedTier(number, above, tier.up_to, tier.unit_amount, tier.flat_amount,
                               tier.block_size, units, amount))
        above = tier.up_to
    return tuple(out)


