"""What a document's coupons take off each charge of each line's schedule: pure, no ORM.

    coupon_schedule(coupons, lines, currency) -> CouponSchedule
    less_coupons(coupons, lines, currency) -> {key: [Charge]}
    running_coupon_schedule(running, lines, currency) -> CouponSchedule
    periods_before(terms, counts_from, first_day) -> int

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

A coupon keeps running when a contract changes (issue 17): an amendment's new line that replaces
a line the coupon covered, and a renewal's line, carry it with the periods it has already run
(`RunningCoupon.offsets`, counted by `periods_before` from the day its duration started), so an
amendment neither drops nor restarts it and a renewal carries only what is left: a forever coupon
runs on, a repeating one for its remaining periods, a once coupon no more. This follows Stripe,
whose discount belongs to the subscription and survives its updates, a repeating coupon ending
`duration_in_months` after its redemption ("a forever coupon applies to every invoice; repeating
applies for duration_in_months from redemption"), and Chargebee, whose `limited_period` coupon
counts billing cycles from when it was applied.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from catalog.charge_schedule import Charge, LineTerms, charge_schedule
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
    # `running_coupon_schedule`: each coupon's own part, in the order given (key -> each
    # charge); they add up to `by_line`. Not compared: two schedules are equal when they take
    # the same off, and `coupon_schedule` does not split its coupons' parts.
    by_coupon: tuple[dict[str, tuple[Decimal, ...]], ...] = field(default=(), compare=False)

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


@dataclass(frozen=True)
class RunningCoupon:
    """A coupon as it runs on some lines: `keys` names the lines it covers (None: every line it
    applies to), `offsets` how many of a line's billing periods it ran before that line's first
    charge (a line carrying it from the line it replaces, or from the term it renews)."""

    terms: CouponTerms
    keys: frozenset[str] | None = None
    offsets: Mapping[str, int] = field(default_factory=dict)
    # an amount-off coupon carried onto lines that replace others: what is left of its amount
    # for them in period n (the replaced rows took the rest); periods not named: its amount
    budgets: Mapping[int, Decimal] = field(default_factory=dict)

    def terms_in(self, period: int) -> CouponTerms | None:
        """Its terms in period `period`, the amount off cut to the budget (None: nothing left)."""
        if period not in self.budgets or self.terms.amount_off is None:
            return self.terms
        left = self.budgets[period]
        return replace(self.terms, amount_off=left) if left > 0 else None

    def runs(self, key: str, period: int) -> bool:
        return ((self.keys is None or key in self.keys)
                and applies_in_period(self.terms, self.offsets.get(key, 0) + period))


def running_coupon_schedule(running: Sequence[RunningCoupon], lines: Sequence[ScheduledLine],
                            currency: str) -> CouponSchedule:
    """What the running coupons take off each charge of the lines they cover, in their order,
    each on what the earlier ones left; with every line covered and no offsets, exactly
    `coupon_schedule`.

    >>> from catalog.coupons import CouponTerms
    >>> forever = RunningCoupon(CouponTerms("TEN", percent_off=Decimal(10), duration="forever"),
    ...                         keys=frozenset({"seats"}))
    >>> twice = RunningCoupon(CouponTerms("TWO", percent_off=Decimal(50), duration="repeating",
    ...                                   periods=2), offsets={"seats": 1, "plat": 1})
    >>> lines = [ScheduledLine("seats", 1, (Decimal("100.00"),) * 3),
    ...          ScheduledLine("plat", 2, (Decimal("40.00"),) * 3)]
    >>> schedule = running_coupon_schedule([forever, twice], lines, "USD")
    >>> [str(a) for a in schedule.by_line["seats"]], [str(a) for a in schedule.by_line["plat"]]
    (['55.00', '10.00', '10.00'], ['20.00', '0.00', '0.00'])
    """
    zero = round_money(Decimal(0), currency)
    left = {line.key: list(line.charges) for line in lines}
    off = {line.key: [zero] * len(line.charges) for line in lines}
    each = [{line.key: [zero] * len(line.charges) for line in lines} for _ in running]
    by_code = {coupon.terms.code: zero for coupon in running}
    depth = max((len(line.charges) for line in lines), default=0) if running else 0
    for period in range(depth):
        for coupon, own in zip(running, each, strict=True):
            covered = [CouponLine(line.key, line.product_id, left[line.key][period])
                       for line in lines
                       if period < len(line.charges) and coupon.runs(line.key, period)]
            terms = coupon.terms_in(period)
            if not covered or terms is None:
                continue
            # `covered` holds only lines the coupon still runs on: priced as its period 0.
            (discount,) = coupon_discounts([terms], covered, currency, period=0)
            by_code[coupon.terms.code] += discount.total
            for key, amount in discount.by_line.items():
                off[key][period] += amount
                own[key][period] += amount
                left[key][period] -= amount
    return CouponSchedule({key: tuple(amounts) for key, amounts in off.items()}, by_code,
                          tuple({key: tuple(amounts) for key, amounts in own.items()}
                                for own in each))


def periods_before(terms: LineTerms, counts_from: date, first_day: date) -> int:
    """How many billing periods a coupon whose duration started on `counts_from` has run, on a
    line billed by `terms`, before `first_day`: the periods (of the line's own alignment and
    bill day, run from `counts_from`) that end before it. A period `first_day` falls inside
    is not over: the line's part period from `first_day` is still that period.

    >>> from catalog.charge_schedule import LineTerms
    >>> monthly = LineTerms(currency="USD", billing_period="monthly",
    ...                     amount_per_period=Decimal(100), start_on=date(2026, 2, 15),
    ...                     end_on=date(2026, 12, 31))
    >>> periods_before(monthly, date(2026, 1, 1), date(2026, 2, 15))
    1
    >>> periods_before(monthly, date(2026, 1, 1), date(2026, 3, 1))
    2
    """
    if first_day <= counts_from:
        return 0
    ran = replace(terms, start_on=counts_from, end_on=max(terms.end_on, first_day),
                  starts_at=None, ends_at=None)  # periods counted, not moments
    return sum(1 for charge in charge_schedule(ran) if charge.period_end < first_day)


def less_running_coupons(running: Sequence[RunningCoupon],
                         lines: Sequence[tuple[str, int, Sequence[Charge]]],
                         currency: str) -> dict[str, list[Charge]]:
    """Each line's charges less what the running coupons take off them (see `less_coupons`)."""
    if not running:
        return {key: list(charges) for key, _, charges in lines}
    off = running_coupon_schedule(running, [
        ScheduledLine(key, product_id, tuple(charge.amount for charge in charges))
        for key, product_id, charges in lines], currency).by_line
    return {key: [_less(charge, amount, currency)
                  for charge, amount in zip(charges, off[key], strict=True)]
            for key, _, charges in lines}


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
