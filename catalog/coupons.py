"""Coupons: whether a code may be used on a document, and what it takes off; pure, no ORM.

    coupon_problems(coupon, *, on, currency, product_ids, redemptions, others) -> list[str]
    applies_in_period(coupon, period) -> bool
    coupon_discounts(coupons, lines, currency, *, period=0) -> list[CouponDiscount]
    left_after_cut(took, kept_off, currency) -> list[Decimal]

A coupon (Stripe's and Chargebee's coupon objects) is a percentage or an amount off, for a
duration: once (the first billing period only), N periods ("repeating" / "limited period"), or
forever. It may be limited to a number of redemptions in all, to a window of dates in which it
can be redeemed (the discount then runs its duration), to some products and to some
currencies; an amount-off coupon is in one currency and only fits documents in it. A coupon that
does not stack is used alone.

What it takes off, on the lines it applies to (the lines above zero of its products, or of all
products when it names none), before tax:
- a percentage: that percent of each eligible line, rounded per line (half away from zero);
- an amount: at most the eligible lines' total, never more (Stripe: 200 off an invoice of 100
  leaves 0, off 300 leaves 100), spread over the eligible lines in proportion to their amounts
  with `core.money.allocate` (largest remainder, ties to the earlier line).
Stacked coupons apply in the order given, each on what the earlier ones left, so no line goes
below zero.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.money import allocate, round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class CouponDuration(StrEnum):
    ONCE = "once"
    REPEATING = "repeating"
    FOREVER = "forever"


@dataclass(frozen=True, slots=True)
class CouponTerms:
    code: str
    percent_off: Decimal | None = None
    amount_off: Decimal | None = None
    currency: str = ""  # the amount's currency; empty for a percentage
    duration: CouponDuration = CouponDuration.ONCE
    periods: int | None = None  # for REPEATING: how many billing periods
    max_redemptions: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None  # the last day it can be redeemed
    product_ids: frozenset[int] = frozenset()  # empty: every product
    currencies: frozenset[str] = frozenset()  # empty: every currency
    stackable: bool = True

    def __post_init__(self):
        object.__setattr__(self, "duration", CouponDuration(self.duration))
        object.__setattr__(self, "currency", self.currency.upper())
        object.__setattr__(self, "currencies", frozenset(c.upper() for c in self.currencies))
        errors = coupon_errors(self)
        if errors:
            raise ValueError("; ".join(errors))


def coupon_errors(coupon: CouponTerms) -> list[str]:
    """What is wrong with a coupon's own terms (empty when it can be offered)."""
    errors = []
    if (coupon.percent_off is None) == (coupon.amount_off is None):
        errors.append("A coupon takes off a percentage or an amount, one of the two.")
    if coupon.percent_off is not None and not ZERO < coupon.percent_off <= HUNDRED:
        errors.append("The percentage off is above 0 and at most 100.")
    if coupon.amount_off is not None:
        if coupon.amount_off <= 0:
            errors.append("The amount off is above zero.")
        if not coupon.currency:
            errors.append("An amount off needs its currency.")
    if (coupon.duration is CouponDuration.REPEATING) != (coupon.periods is not None):
        errors.append("A repeating coupon, and only it, runs for a number of periods.")
    elif coupon.periods is not None and coupon.periods < 1:
        errors.append("A repeating coupon runs for at least one period.")
    if coupon.max_redemptions is not None and coupon.max_redemptions < 1:
        errors.append("A redemption limit is at least 1.")
    if coupon.valid_from and coupon.valid_until and coupon.valid_until < coupon.valid_from:
        errors.append("The last day to redeem cannot be before the first.")
    return errors


def coupon_problems(coupon: CouponTerms, *, on: date, currency: str,
                    product_ids: Collection[int], redemptions: int,
                    others: Sequence[CouponTerms] = ()) -> list[str]:
    """Every reason the coupon cannot be redeemed on a document of `currency` with those
    products on `on`, next to the `others` already on it (empty: it can)."""
    code, currency = coupon.code, currency.upper()
    problems = []
    if coupon.valid_from and on < coupon.valid_from:
        problems.append(f"{code} can be redeemed from {coupon.valid_from.isoformat()}.")
    if coupon.valid_until and on > coupon.valid_until:
        problems.append(f"{code} expired on {coupon.valid_until.isoformat()}.")
    if coupon.max_redemptions is not None and redemptions >= coupon.max_redemptions:
        problems.append(f"{code} has been redeemed {redemptions} times, its limit.")
    if coupon.amount_off is not None and coupon.currency != currency:
        problems.append(f"{code} takes off {coupon.currency}, not {currency}.")
    elif coupon.currencies and currency not in coupon.currencies:
        problems.append(f"{code} is not offered in {currency}.")
    if coupon.product_ids and not coupon.product_ids & set(product_ids):
        problems.append(f"{code} applies to none of these products.")
    if any(other.code == code for other in others):
        problems.append(f"{code} is already applied.")
    elif others and not (coupon.stackable and all(o.stackable for o in others)):
        problems.append(f"{code} cannot be combined with other coupons.")
    return problems


def applies_in_period(coupon: CouponTerms, period: int) -> bool:
    """Whether the coupon still discounts billing period `period` (0 is the first one)."""
    return runs_in_period(coupon.duration, coupon.periods, period)


def runs_in_period(duration: str, periods: int | None, period: int) -> bool:
    """Whether a coupon running for `duration` (`periods` of them when repeating) still
    discounts billing period `period` (0 is the first one)."""
    duration = CouponDuration(duration)
    if duration is CouponDuration.FOREVER:
        return True
    if duration is CouponDuration.ONCE:
        return period == 0
    return period < periods


@dataclass(frozen=True, slots=True)
class CouponLine:
    key: str
    product_id: int
    amount: Decimal  # the line's net before coupons, rounded to the currency


@dataclass(frozen=True, slots=True)
class CouponDiscount:
    code: str
    by_line: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.by_line.values(), ZERO)


def coupon_discounts(coupons: Sequence[CouponTerms], lines: Sequence[CouponLine],
                     currency: str, *, period: int = 0) -> list[CouponDiscount]:
    """What each coupon takes off each line in billing period `period`, in the coupons' order;
    a line never goes below zero."""
    left = {line.key: line.amount for line in lines}
    out = []
    for coupon in coupons:
        eligible = [line for line in lines if line.amount > 0
                    and (not coupon.product_ids or line.product_id in coupon.product_ids)]
        if not applies_in_period(coupon, period) or not eligible:
            out.append(CouponDiscount(coupon.code, {}))
            continue
        if coupon.percent_off is not None:
            off = {line.key: round_money(left[line.key] * coupon.percent_off / HUNDRED, currency)
                   for line in eligible}
        else:
            base = sum((left[line.key] for line in eligible), ZERO)
            parts = allocate(min(round_money(coupon.amount_off, currency), base),
                             [left[line.key] for line in eligible], currency)
            off = {line.key: part for line, part in zip(eligible, parts, strict=True)}
        for key, amount in off.items():
            left[key] -= amount
        out.append(CouponDiscount(coupon.code, off))
    return out


def left_after_cut(took: Sequence[Decimal], kept_off: Decimal, currency: str) -> list[Decimal]:
    """What each coupon on a row cut short has left to take in the row's period, after what
    the shortened row keeps of it. `took`: what each coupon took off the whole row, in their
    order; `kept_off`: what they took off the part kept, in all (the row's charge before them
    kept, less the row kept, each split as the cut splits the row).

    The rule: `kept_off` is split between the coupons in proportion to what each took, by
    `core.money.allocate`: each gets the floor of its exact share in minor units, the units
    left over go one each to the largest remainders, ties to the earlier coupon. So the kept
    shares add up to `kept_off` exactly, and each coupon's kept share plus what it has left is
    what it took: the period takes each coupon's amount once, never a cent more or less
    (rounding each coupon's kept share on its own may keep a cent more or less than the row)."""
    kept = allocate(kept_off, took, currency)
    return [whole - part for whole, part in zip(took, kept, strict=True)]
