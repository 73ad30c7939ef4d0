"""Tiers as people write them: ranges "from – up to", checked row by row; pure, no ORM.

    written_tier_errors(rows) -> list[(row index, field, message)]
    tiers_from_written(rows) -> tuple[pricing.Tier, ...]

The first range starts at 0 or 1; each next one starts where the previous ended (continuous
quantities: "0–100, 100–1000") or one above it (whole units: "1–100, 101–1000"); only the last
is open-ended. The engine keeps each range's end: a tier covers quantities above the previous
end up to its own (see catalog.pricing). A row may give a block size: its unit amount is then
the price of a block, and a started block costs a whole one.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from catalog.pricing import ONE, ZERO, Tier


@dataclass(frozen=True, slots=True)
class WrittenTier:
    """A tier as a person writes it: a range from `from_quantity` to `up_to` (None = and up)."""

    from_quantity: Decimal
    up_to: Decimal | None
    unit_amount: Decimal = ZERO
    flat_amount: Decimal = ZERO
    block_size: Decimal | None = None


def written_tier_errors(rows: Sequence[WrittenTier]) -> list[tuple[int, str, str]]:
    """(row index, field, message) for every mistake in tiers written as ranges, in order."""
    if not rows:
        return [(0, "", "Tiered prices need at least one tier.")]
    errors = []
    previous_end = None
    for i, row in enumerate(rows):
        if i == 0 and row.from_quantity not in (ZERO, ONE):
            errors.append((i, "from_quantity", "The first tier must start at 0 or 1."))
        elif i > 0 and previous_end is None:
            errors.append((i, "from_quantity", "No tier can follow an open-ended tier."))
        elif i > 0 and row.from_quantity < previous_end:
            errors.append((i, "from_quantity",
                           f"This tier overlaps the previous one, which ends at {previous_end}."))
        elif i > 0 and row.from_quantity > previous_end + ONE:
            errors.append((i, "from_quantity",
                           f"Gap: the previous tier ends at {previous_end}, so this one must "
                           f"start at {previous_end} or {previous_end + ONE}."))
        if row.up_to is not None and row.up_to < max(row.from_quantity, ONE):
            errors.append((i, "up_to", "A tier must end at or above where it starts."))
        if row.up_to is None and i != len(rows) - 1:
            errors.append((i, "up_to", "Only the last tier can be open-ended."))
        if row.unit_amount < 0:
            errors.append((i, "unit_amount", "Amounts cannot be negative."))
        if row.flat_amount < 0:
            errors.append((i, "flat_amount", "Amounts cannot be negative."))
        if row.block_size is not None and row.block_size <= 0:
            errors.append((i, "block_size", "A block holds more than zero units."))
        previous_end = row.up_to
    if rows[-1].up_to is not None:
        errors.append((len(rows) - 1, "up_to",
                       "The last tier must be open-ended: leave its upper bound empty."))
    return errors


def tiers_from_written(rows: Sequence[WrittenTier]) -> tuple[Tier, ...]:
    """Keep each written range's end: a tier covers quantities above the previous end."""
    return tuple(Tier(up_to=r.up_to, unit_amount=r.unit_amount, flat_amount=r.flat_amount,
                      block_size=r.block_size) for r in rows)
