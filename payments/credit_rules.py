"""How customer credit is spread over invoices: pure, no ORM.

Credits are used oldest first, each invoice in the order given takes as much as both allow, so
the parts add up to exactly what is applied and no credit or invoice gives or takes more than
it has. Stripe applies a customer's credit balance to the customer's next invoices, and
Chargebee its refundable credits to later invoices, in the same spirit.

>>> from decimal import Decimal as D
>>> spread([("cn1", D("30")), ("cn2", D("50"))], [("inv1", D("40")), ("inv2", D("25"))])
[('cn1', 'inv1', Decimal('30')), ('cn2', 'inv1', Decimal('10')), ('cn2', 'inv2', Decimal('25'))]
"""

from collections.abc import Hashable, Sequence
from decimal import Decimal


def spread(credits: Sequence[tuple[Hashable, Decimal]], wanted: Sequence[tuple[Hashable, Decimal]]
           ) -> list[tuple[Hashable, Hashable, Decimal]]:
    """(credit, invoice, amount) parts: oldest credit first onto each invoice in turn."""
    parts, left = [], dict(credits)
    for invoice, amount in wanted:
        for credit, _ in credits:
            part = min(amount, left[credit])
            if part > 0:
                parts.append((credit, invoice, part))
                left[credit] -= part
                amount -= part
    return parts
