"""What a document's coupons take off each charge of each line's schedule: pure, no ORM.

    coupon_schedule(coupons, lines, currency) -> CouponSchedule
    less_coupons(coupons, lines, currency) -> {key: [Charge]}

A coupon's duration counts billing periods (`catalog.coupons.applies_in_period`): once is each
line's first charge (its first billing period, a part period included, or its one-time
charge), N periods its first N charges, forever every charge, as Stripe's coupon `duration`
(`once`, `repeating` with `duration_in_months`, `forever`) and Chargebee's `duration_type`
(`one_time`, `limited_period`, `forever`) apply to a subscription's invoices. Period n of the
document is the n-th charge of each line; the coupons of period n are worked out by
`catalog.coupons.coupon_discounts` over the lines charging in it (a percentage per line, an
amount spread over them by largest remainder, stacked coupons in order, no charge below zero).

The quote shows these amounts per line and in its totals; the contract takes them off the rows
of its stored charge schedule, which billing and revenue read without knowing of coupons. Both
call this function on the same charges, so the quote and the contract agree to the minor unit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from catalog.charge_schedule import Charge
from catalog.coupons import CouponLine, CouponTerms, applies_in_period, coupon_discounts
from core.formatting import format_rate
from core.money import round_money


@dataclass(frozen=True, slots=True)
class ScheduledLine:
    key: str
    product_id: int
    charges: tuple[Decimal, ...]  # the line's charges in date order, before coupons


@dataclass(frozen=True, slots=True)
class CouponSchedule:
    by_line: dict[str, tuple[Decimal, ...]]  # key -> what the coupons take off each charge
    by_code: dict[str, Decimal]  # coupon code -> what it takes off in all

    def line_total(self, key: str) -> Decimal:
        return sum(self.by_line.get(key, ()), Decimal(0))


def coupon_schedule(coupons: Sequence[CouponTerms], lines: Sequence[ScheduledLine],
                    currency: str) -> CouponSchedule:
    """What the coupons take off each charge of each line, and each coupon in all."""
    zero = round_money(Decimal(0), currency)
    off = {line.key: [zero] * len(line.charges) for line in lines}
    by_code = {coupon.code: zero for coupon in coupons}
    depth = max((len(line.charges) for line in lines), default=0) if coupons else 0
    for period in range(depth):
        if not any(applies_in_period(coupon, period) for coupon in coupons):
            break  # durations only end: no later period is discounted either
        charging = [CouponLine(line.key, line.product_id, line.charges[period])
                    for line in lines if period < len(line.charges)]
        for discount in coupon_discounts(coupons, charging, currency, period=period):
            by_code[discount.code] += discount.total
            for key, amount in discount.by_line.items():
                off[key][period] += amount
    return CouponSchedule({key: tuple(amounts) for key, amounts in off.items()}, by_code)


def less_coupons(coupons: Sequence[CouponTerms], lines: Sequence[tuple[str, int,
                                                                       Sequence[Charge]]],
                 currency: str) -> dict[str, list[Charge]]:
    """Each line's charges (by key; with its product) with what the coupons take off each one
    taken off its amount, the explanation saying so: the charges its invoices bill."""
    if not coupons:
        return {key: list(charges) for key, _, charges in lines}
    off = coupon_schedule(coupons, [
        ScheduledLine(key, product_id, tuple(charge.amount for charge in charges))
        for key, product_id, charges in lines], currency).by_line
    return {key: [_less(charge, amount, currency)
                  for charge, amount in zip(charges, off[key], strict=True)]
            for key, _, charges in lines}


def _less(charge: Charge, amount: Decimal, currency: str) -> Charge:
    if not amount:
        return charge
    return replace(charge, amount=charge.amount - amount,
                   explanation=f"{charge.explanation}; coupons −{format_rate(amount, currency)}")
