"""What changed between two versions of a quote: pure, over plain line snapshots; no ORM.

    quote_diff(old: Sequence[LineSnapshot], new: Sequence[LineSnapshot]) -> QuoteDiff

Lines match by product and billing period, in order of position (the second SEAT-USER line
of the old version matches the second one of the new). A matched line is "repriced" when its
quantity, discount or net amount differs.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LineSnapshot:
    position: int
    sku: str
    name: str
    billing_period: str
    quantity: Decimal
    discount_percent: Decimal
    discount_per_period: Decimal
    net_amount: Decimal

    @property
    def match_key(self) -> tuple[str, str]:
        return (self.sku, self.billing_period)


@dataclass(frozen=True, slots=True)
class Repriced:
    old: LineSnapshot
    new: LineSnapshot


@dataclass(frozen=True)
class QuoteDiff:
    added: tuple[LineSnapshot, ...] = ()
    removed: tuple[LineSnapshot, ...] = ()
    repriced: tuple[Repriced, ...] = ()

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.repriced)


def _changed(old: LineSnapshot, new: LineSnapshot) -> bool:
    return (old.quantity, old.discount_percent, old.discount_per_period, old.net_amount) != (
        new.quantity, new.discount_percent, new.discount_per_period, new.net_amount)


def quote_diff(old: Sequence[LineSnapshot], new: Sequence[LineSnapshot]) -> QuoteDiff:
    """Lines added, removed and repriced going from `old` to `new`."""
    waiting: dict[tuple[str, str], list[LineSnapshot]] = {}
    for line in sorted(old, key=lambda x: x.position):
        waiting.setdefault(line.match_key, []).append(line)
    added, repriced = [], []
    for line in sorted(new, key=lambda x: x.position):
        candidates = waiting.get(line.match_key)
        if not candidates:
            added.append(line)
            continue
        before = candidates.pop(0)
        if _changed(before, line):
            repriced.append(Repriced(before, line))
    removed = sorted((x for rest in waiting.values() for x in rest), key=lambda x: x.position)
    return QuoteDiff(tuple(added), tuple(removed), tuple(repriced))
