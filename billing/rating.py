"""Usage rating: the quantity used in a period priced by the contract line's frozen price
model; pure, over Decimal and dates, no ORM.

    local_day(moment, zone) -> date; day_start(day, zone) -> datetime
    usage_in_period(daily, start, end) -> Decimal
    rate_usage(spec, quantity, *, discount_percent=0) -> RatedUsage

The price model is the contract line's snapshot (`catalog.pricing.PriceSpec.from_dict` of
`ContractLine.price_snapshot`), never the live price book, so a price change in the catalog
never reprices usage already sold. The quantity of one period is priced as one billing period
of that model (graduated tiers restart each period; included units, a minimum and a cap apply
per period), then the line's discount comes off. Rounding point: `catalog.pricing.price_line`'s,
once per period, by the rounding mode frozen in the snapshot. When the usage is priced below the
period's minimum, the difference (the "true-up", Lago's spending minimum) is reported apart as
`shortfall` and named in the explanation; `amount` includes it. A cap is named there too. A
transaction price (a percentage of each amount plus a fee per transaction) is rated from the
period's transactions.

Which day a usage event belongs to is the day it happened in its account's time zone
(`catalog.policies.time_zone_of`: the account's, else the company's), as Lago's customer
"timezone" sets the boundaries of its billing days: 23:30 UTC on 31 March is 1 April in Tokyo.

>>> from decimal import Decimal as D
>>> from catalog.pricing import PriceModel, PriceSpec, Tier
>>> spec = PriceSpec(model=PriceModel.GRADUATED, currency="USD", billing_period="monthly",
...                  tiers=(Tier(D(1000), D("0.010")), Tier(None, D("0.005"))))
>>> rate_usage(spec, D(1500), discount_percent=D(10)).amount     # (10 + 2.50) - 1.25
Decimal('11.25')
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from catalog.pricing import LineInput, PriceSpec, price_line
from core.formatting import format_rate

ZERO = Decimal(0)
UNIT_PLACES = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class RatedUsage:
    quantity: Decimal
    list_amount: Decimal
    discount: Decimal
    amount: Decimal  # net, rounded to the currency
    unit_price: Decimal  # the average net price per unit, for display (six places)
    explanation: str
    shortfall: Decimal = ZERO  # the part of list_amount that tops up the period's minimum


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The day an (aware) moment falls on in `zone`."""
    return moment.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first moment of `day` in `zone` (where midnight is skipped, the first moment after
    it), so `local_day(m, zone) == day` exactly when `day_start(day) <= m <
    day_start(day + 1)`."""
    return datetime.combine(day, time.min, tzinfo=zone)


def usage_in_period(daily: Iterable[tuple[date, Decimal]], start: date, end: date) -> Decimal:
    """The quantity of the (day, quantity) rows from `start` to `end` (both included)."""
    return sum((quantity for day, quantity in daily if start <= day <= end), ZERO)


def rate_usage(spec: PriceSpec, quantity: Decimal, *, discount_percent: Decimal = ZERO,
               transactions: Sequence[Decimal] | None = None) -> RatedUsage:
    """The charge for `quantity` used in one period under the frozen price model."""
    if quantity < 0:
        raise ValueError("a usage quantity cannot be negative")
    price = price_line(LineInput(spec=spec, quantity=quantity,
                                 discount_percent=discount_percent), transactions=transactions)
    unit = (price.amount_per_period / quantity).quantize(UNIT_PLACES) if quantity else ZERO
    explanation = f"{quantity.normalize():f} used × {spec.model} price"
    if spec.included_units:
        explanation += f" ({spec.included_units.normalize():f} included)"
    if price.shortfall_per_period:
        explanation += (f" + minimum top-up "
                        f"{format_rate(price.shortfall_per_period, spec.currency)}")
    if price.capped_per_period:
        explanation += (f" capped at {format_rate(price.list_per_period, spec.currency)} "
                        f"(−{format_rate(price.capped_per_period, spec.currency)})")
    if price.discount_per_period:
        explanation += f" {format_rate(price.list_per_period, spec.currency)} less " \
                       f"{discount_percent.normalize():f}%"
    explanation += f" = {format_rate(price.amount_per_period, spec.currency)}"
    return RatedUsage(quantity, price.list_per_period, price.discount_per_period,
                      price.amount_per_period, unit, explanation, price.shortfall_per_period)
