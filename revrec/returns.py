"""Sales with a right of return (IFRS 15.B20-B27; ASC 606-10-55-22..29): revenue only for the
products not expected to be returned, a refund liability for the rest, and an asset for the
goods to be recovered.

    expected_returns(method, scenarios) -> Decimal
    return_position(gross, currency, *, units_sold, units_returned, unit_cost, price=None)
        -> ReturnPosition
    settled_part(total, currency, *, expected, returned_before, quantity) -> Decimal

Pure, over Decimal; no ORM. `revrec.services.returns` stores an estimate, lowers the
obligation's allocation to the revenue, and the recognition run posts the changes of the refund
liability and of the asset.

The rules:
- The products expected to be returned are estimated like variable consideration (B23, 15.53):
  the expected value of the scenarios (returned units × probability, not rounded: units), or the
  most likely number; the probabilities add up to 1 (`revrec.variable.check_scenarios`).
- The refund liability (B21(b), 15.55) is the consideration of the units expected back, what
  the customer paid for them: the goods' price × returned / sold, rounded to the currency. When
  the goods were allocated another amount than their price (a discount shared by relative SSP,
  15.81, IE Example 34), the refund is still their price: it is what the customer gets back
  and what the credit note takes off the receivable. The refund is variable consideration of
  these goods alone (15.85), so revenue (B21(a)) is their allocation less it (the two add up
  exactly); a refund above the allocation is refused (the allocation objective of 15.73 would
  not hold).
- The asset for the right to recover products (B21(c), B25) is their former carrying amount,
  the unit cost × units expected back, rounded to the currency, against cost of sales.
- Each period end the estimate is updated (B24): the liability and the asset move by the
  difference, and so does revenue (as an adjustment of the price, 15.87-88).
- Products actually returned settle the liability and the asset (B25): each return takes the
  share of the units returned so far of the amount expected back, less what earlier returns
  took (a cumulative difference, so the parts add up to the whole once every unit expected is
  back). More units than expected need a re-estimate first (B24).

Worked example (IFRS 15 IE Example 22, IE110-IE115: 100 products at CU100, cost CU60 each, 97
expected not to be returned):
>>> from decimal import Decimal as D
>>> from revrec.variable import Scenario
>>> returned = expected_returns("most_likely", [Scenario(D(3), D("0.6")),
...                                             Scenario(D(5), D("0.4"))])
>>> position = return_position(D(10000), "JPY", units_sold=D(100), units_returned=returned,
...                            unit_cost=D(60))
>>> returned, position.revenue, position.refund, position.asset
(Decimal('3'), Decimal('9700'), Decimal('300'), Decimal('180'))

Two of the three come back, then the third: the liability and the asset are settled in full.
>>> [settled_part(position.refund, "JPY", expected=returned, returned_before=before,
...               quantity=units) for before, units in ((D(0), D(2)), (D(2), D(1)))]
[Decimal('200'), Decimal('100')]
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import round_money
from revrec.variable import EXPECTED_VALUE, MOST_LIKELY, Scenario, check_scenarios

ZERO = Decimal(0)
UNITS = Decimal("0.0001")  # units are stored to four places


@dataclass(frozen=True, slots=True)
class ReturnPosition:
    revenue: Decimal  # the obligation's allocation: the price of the units kept
    refund: Decimal  # refund liability
    asset: Decimal  # right to recover the products, at their cost


def expected_returns(method: str, scenarios: Sequence[Scenario]) -> Decimal:
    """Units expected back: the expected value or the most likely amount of the scenarios."""
    check_scenarios(scenarios)
    if any(s.amount < 0 for s in scenarios):
        raise ValueError("returned units cannot be below 0")
    if method == EXPECTED_VALUE:
        return sum((s.amount * s.probability for s in scenarios), ZERO).quantize(UNITS)
    if method == MOST_LIKELY:
        return max(scenarios, key=lambda s: s.probability).amount
    raise ValueError(f"unknown estimation method {method!r}")


def return_position(gross: Decimal, currency: str, *, units_sold: Decimal,
                    units_returned: Decimal, unit_cost: Decimal,
                    price: Decimal | None = None) -> ReturnPosition:
    """Revenue, refund liability and return asset for `units_returned` of `units_sold` expected
    back, of goods allocated `gross` and sold for `price` (`gross` when not given): the refund
    at the price, revenue + refund = gross exactly.

    >>> from decimal import Decimal as D
    >>> # IE Example 34's discount shared by SSP: 30 at 224.10 (6,723.00) allocated 6,650.48
    >>> return_position(D("6650.48"), "USD", units_sold=D(30), units_returned=D(1),
    ...                 unit_cost=D(150), price=D("6723.00"))
    ReturnPosition(revenue=Decimal('6426.38'), refund=Decimal('224.10'), asset=Decimal('150.00'))
    """
    if units_sold <= 0:
        raise ValueError("sell at least one unit")
    if not ZERO <= units_returned <= units_sold:
        raise ValueError(f"expect between 0 and the {units_sold.normalize():f} units sold back")
    if unit_cost < 0:
        raise ValueError("the unit cost cannot be below 0")
    refund = round_money((gross if price is None else price) * units_returned / units_sold,
                         currency)
    if refund > gross:
        raise ValueError(f"the refund of the units expected back, {refund}, is more than the "
                         f"goods' price after allocation, {gross}")
    return ReturnPosition(gross - refund, refund, round_money(unit_cost * units_returned,
                                                               currency))


def settled_part(total: Decimal, currency: str, *, expected: Decimal, returned_before: Decimal,
                 quantity: Decimal) -> Decimal:
    """The part of `total` (a refund liability or return asset for `expected` units) that
    `quantity` more units returned settle, after `returned_before`: the rounded share of the
    units returned so far less that of those before, so returns add up exactly to `total`."""
    if quantity <= 0:
        raise ValueError("return at least part of a unit")
    if returned_before + quantity > expected:
        raise ValueError(f"only {(expected - returned_before).normalize():f} of the units "
                         "expected back remain: re-estimate the returns first (B24)")
    return (round_money(total * (returned_before + quantity) / expected, currency)
            - round_money(total * returned_before / expected, currency))
