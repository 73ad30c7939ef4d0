"""A renewal's prices: the frozen price snapshot with the uplift applied. Pure; no ORM.

Every amount of the price model (unit amount, each tier's unit and flat amounts, the minimum)
grows by the uplift percent; percentages of other lines and package sizes do not. Unit rates may
carry more places than the currency: they are kept to six places (half up), and the line is
rounded to the currency only when priced (`catalog.pricing`), as every price is.

>>> from decimal import Decimal as D
>>> snap = {"model": "per_unit", "currency": "USD", "billing_period": "monthly",
...         "unit_amount": "25"}
>>> uplifted_snapshot(snap, D("3.5"))["unit_amount"]
'25.875'
"""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from catalog.pricing import PriceSpec

RATE_PLACES = Decimal("0.000001")
HUNDRED = Decimal(100)


def _up(amount: Decimal, factor: Decimal) -> Decimal:
    return (amount * factor).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def uplifted_snapshot(snapshot: dict, percent: Decimal) -> dict:
    """The snapshot with its amounts raised by `percent`, noting where it came from."""
    spec = PriceSpec.from_dict(snapshot)
    factor = 1 + Decimal(percent) / HUNDRED
    raised = replace(
        spec, unit_amount=_up(spec.unit_amount, factor),
        minimum_amount=_up(spec.minimum_amount, factor),
        tiers=tuple(replace(t, unit_amount=_up(t.unit_amount, factor),
                            flat_amount=_up(t.flat_amount, factor)) for t in spec.tiers))
    source = dict(snapshot.get("source") or {})
    source["uplift_percent"] = format(Decimal(percent).normalize(), "f")
    return {**raised.to_dict(), "source": source}
