"""Earning by units delivered, across a 15.21(a) modification. Pure, over Decimal; no ORM.

A point-in-time obligation on an order earns as its units are delivered (IFRS 15 IE Example 5,
IE19-IE20: control of each product passes on its delivery). When a modification made its units
not yet delivered part of a new contract (15.21(a)), the units delivered before keep what they
earned at the allocation then (`earned_before`), and the rest of the obligation's allocation,
its share of the new contract, is earned by the units delivered after, unit by unit (IE
Example 5, Case B, IE24: each remaining product at the blended price).

>>> from decimal import Decimal as D
>>> # Case B scaled down by ten: 12 ordered at 100, 6 delivered before the modification (600);
>>> # the other 6 are allocated 560 of the new contract: 3 of them delivered earn 280
>>> earned(D("1160.00"), "USD", ordered=D(12), delivered=D(9), units_before=D(6),
...        earned_before=D(600))
Decimal('880.00')
"""

from decimal import Decimal

from catalog.revenue_schedule import earned_by_delivery

ZERO = Decimal(0)


def earned(allocated: Decimal, currency: str, *, ordered: Decimal, delivered: Decimal,
           units_before: Decimal = ZERO, earned_before: Decimal = ZERO) -> Decimal:
    """What the units delivered to date have earned of `allocated`: by units of the whole
    order, or, after a 15.21(a) modification, `earned_before` for the `units_before` and the
    rest of `allocated` by units of those left then (the whole of it once all are delivered)."""
    if not units_before:
        return earned_by_delivery(allocated, currency, ordered=ordered, delivered=delivered)
    if delivered <= units_before:
        return earned_before
    return earned_before + earned_by_delivery(
        allocated - earned_before, currency, ordered=ordered - units_before,
        delivered=delivered - units_before)
