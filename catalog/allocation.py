"""Allocation of a contract's transaction price to its performance obligations (ASC 606 step 4).

    allocate_transaction_price(transaction_price, currency, obligations, *, discount_to=None)
        -> tuple[AllocatedObligation, ...]

Pure, over Decimal and currency codes; no ORM. A selector builds the `Obligation`s (key and
standalone selling price from the catalog), a service stores the result.

The rule:
- By default the whole transaction price is allocated in proportion to the obligations'
  standalone selling prices (relative SSP, ASC 606-10-32-29).
- When the discount (the SSPs' sum less the transaction price) belongs to some obligations only
  (`discount_to`, ASC 606-10-32-37), every other obligation is allocated its own SSP, rounded to
  the currency, and what is left of the price is allocated to the named ones by relative SSP.
  That is the caller's judgement to make; this module only does the arithmetic.
- Every split goes through `core.money.allocate` (integer minor units, largest remainder, ties
  to the earlier obligation), so the parts add up exactly to the transaction price and each is
  within one minor unit of its exact share. A price above the SSPs (a premium) is spread alike.

Worked example (a bundle sold for $1,200.00: licence SSP 1,000, support 400, training 100):
>>> from decimal import Decimal as D
>>> bundle = (Obligation("licence", D(1000)), Obligation("support", D(400)),
...           Obligation("training", D(100)))
>>> [a.amount for a in allocate_transaction_price(D("1200.00"), "USD", bundle)]
[Decimal('800.00'), Decimal('320.00'), Decimal('80.00')]
>>> # the $300 discount belongs to licence and support only: training keeps its SSP
>>> [a.amount for a in allocate_transaction_price(D("1200.00"), "USD", bundle,
...                                               discount_to={"licence", "support"})]
[Decimal('785.71'), Decimal('314.29'), Decimal('100.00')]
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import allocate, round_money

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Obligation:
    key: str
    ssp: Decimal  # standalone selling price of the whole obligation (quantity × term included)


@dataclass(frozen=True, slots=True)
class AllocatedObligation:
    key: str
    ssp: Decimal
    amount: Decimal  # rounded to the currency
    pool: Decimal = ZERO  # the price it shared by relative SSP (its own SSP when kept at it)
    pool_ssp: Decimal = ZERO  # the SSPs of the obligations sharing `pool`, added up

    @property
    def discount(self) -> Decimal:
        """What the obligation gave up against its SSP (negative for a premium)."""
        return self.ssp - self.amount


def _check(transaction_price: Decimal, currency: str, obligations: Sequence[Obligation],
           discount_to: Collection[str] | None) -> None:
    if not obligations:
        raise ValueError("a contract needs at least one performance obligation")
    keys = [o.key for o in obligations]
    if len(set(keys)) != len(keys):
        raise ValueError("obligation keys must be unique")
    if any(o.ssp < 0 for o in obligations):
        raise ValueError("a standalone selling price cannot be negative")
    if transaction_price < 0:
        raise ValueError("a transaction price cannot be negative")
    if round_money(transaction_price, currency) != transaction_price:
        raise ValueError(f"{transaction_price} is not rounded to {currency.upper()}'s minor unit")
    if discount_to is not None:
        unknown = set(discount_to) - set(keys)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise ValueError(f"the discount names unknown obligations: {names}")
        if not discount_to:
            raise ValueError("a discount allocated to a subset needs at least one obligation")


def allocate_transaction_price(transaction_price: Decimal, currency: str,
                               obligations: Sequence[Obligation], *,
                               discount_to: Collection[str] | None = None,
                               ) -> tuple[AllocatedObligation, ...]:
    """The price split over the obligations by relative SSP, adding up exactly, in input order."""
    currency = currency.upper()
    if isinstance(discount_to, str):
        discount_to = (discount_to,)
    _check(transaction_price, currency, obligations, discount_to)
    if discount_to is None or set(discount_to) == {o.key for o in obligations}:
        amounts = allocate(transaction_price, [o.ssp for o in obligations], currency)
        pool_ssp = sum((o.ssp for o in obligations), ZERO)
        return tuple(AllocatedObligation(o.key, o.ssp, a, transaction_price, pool_ssp)
                     for o, a in zip(obligations, amounts, strict=True))

    others = {o.key: round_money(o.ssp, currency) for o in obligations
              if o.key not in discount_to}
    left = transaction_price - sum(others.values(), ZERO)
    if left < 0:
        raise ValueError("the discount is larger than the standalone selling prices of the "
                         f"obligations it belongs to ({', '.join(sorted(discount_to))})")
    subset = [o for o in obligations if o.key in discount_to]
    shared = dict(zip((o.key for o in subset),
                      allocate(left, [o.ssp for o in subset], currency), strict=True))
    subset_ssp = sum((o.ssp for o in subset), ZERO)
    return tuple(
        AllocatedObligation(o.key, o.ssp, others[o.key], others[o.key], others[o.key])
        if o.key in others else AllocatedObligation(o.key, o.ssp, shared[o.key], left, subset_ssp)
        for o in obligations)
