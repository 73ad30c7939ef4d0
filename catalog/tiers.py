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
    for i, row in enumerate(rows):
        if start_error := _start_error(i, row, rows[i - 1].up_to if i else None):
            errors.append((i, "from_quantity", start_error))
        errors += [(i, field, message)
                   for field, message in _row_errors(row, last=i == len(rows) - 1)]
    if rows[-1].up_to is not None:
        errors.append((len(rows) - 1, "up_to",
                       "The last tier must be open-ended: leave its upper bound empty."))
    return errors


def _start_error(i: int, row: WrittenTier, previous_end: Decimal | None) -> str:
    """Why the row cannot start where it does after the previous row's end ("" when it can)."""
    if i == 0:
        return "" if row.from_quantity in (ZERO, ONE) else "The first tier must start at 0 or 1."
    if previous_end is None:
        return "No tier can follow an open-ended tier."
    if row.from_quantity < previous_end:
        return f"This tier overlaps the previous one, which ends at {previous_end}."
    if row.from_quantity > previous_end + ONE:
        return (f"Gap: the previous tier ends at {previous_end}, so this one must start at "
                f"{previous_end} or {previous_end + ONE}.")
    return ""


def _row_errors(row: WrittenTier, *, last: bool):
    if row.up_to is not None and row.up_to < max(row.from_quantity, ONE):
        yield "up_to", "A tier must end at or above where it starts."
    if row.up_to is None and not last:
        yield "up_to", "Only the last tier can be open-ended."
    if row.unit_amount < 0:
        yield "unit_amount", "Amounts cannot be negative."
    if row.flat_amount < 0:
        yield "flat_amount", "Amounts cannot be negative."
    if row.block_size is not None and row.block_size <= 0:
        yield "block_size", "A block holds more than zero units."


def tiers_from_written(rows: Sequence[WrittenTier]) -> tuple[Tier, ...]:
    """Keep each written range's end: a tier covers quantities above the previous end."""
    return tuple(Tier(up_to=r.up_to, unit_amount=r.unit_amount, flat_amount=r.flat_amount,
                      block_size=r.block_size) for r in rows)
