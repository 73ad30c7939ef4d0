"""Coupons on contracts: which run, on which lines, and how far into their duration.

A contract made from a quote records the quote's coupons (`record_quote_coupons`): each covers
the lines it applies to, its duration counted from the contract's start. From then on a coupon
keeps running on the lines it covered and on the lines that replace them:

- an amendment's new line that replaces a covered line (more seats, another price) carries the
  coupon with the periods it has already run (`running_on`), so an amendment neither drops nor
  restarts it; a percentage coupon then covers the line's new quantity, because the line is of a
  product it applies to (Stripe: a subscription's discount survives `update subscription` and
  applies to its items, `applies_to.products` deciding which). Lines of products the amendment
  adds are not lines it covered: they get only the amendment's own coupons;
- the amendment's own coupons (`quotes.services.apply_coupon` on the amendment quote) cover its
  new lines, their duration counted from its effective date;
- a renewal carries what is left: a forever coupon runs on, a repeating one for its remaining
  periods, a once coupon not at all (Stripe: "a forever coupon applies to every invoice;
  repeating applies for duration_in_months from redemption"). Carrying is not a new redemption:
  the carried row names the same `redemption`, and nothing is redeemed again.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from catalog.charge_schedule import ChargeKind
from catalog.coupons import CouponDuration, applies_in_period
from catalog.proration import days_used
from contracts.models import ContractCoupon, ContractLine, ScheduledCharge
from contracts.services.schedules import convention_of, line_terms, schedule_of
from core.money import allocate, round_money
from quotes.coupon_amounts import RunningCoupon, periods_before
from quotes.selectors import coupon_terms, coupons_of


def coupons_running(contract) -> list[ContractCoupon]:
    """The contract's coupons in their order, with their lines and products."""
    return list(ContractCoupon.objects.filter(contract=contract).select_related("coupon")
                .prefetch_related("coupon__products", "lines").order_by("position", "pk"))


def _covers(terms, line: ContractLine) -> bool:
    return not line.included and (not terms.product_ids or line.product_id in terms.product_ids)


def record_quote_coupons(contract, quote, lines: Sequence[ContractLine], *, counts_from: date,
                         amendment=None) -> list[ContractCoupon]:
    """The accepted quote's coupons running on `lines` (saved) from `counts_from`."""
    applied = list(coupons_of(quote))
    if not applied:
        return []
    last = max((c.position for c in ContractCoupon.objects.filter(contract=contract)),
               default=0)
    made = []
    for n, qc in enumerate(applied, start=last + 1):
        terms = coupon_terms(qc)
        row = ContractCoupon.objects.create(
            contract=contract, coupon_id=qc.coupon_id, redemption_id=qc.redemption_id,
            position=n, counts_from=counts_from, duration=terms.duration, periods=terms.periods,
            amendment=amendment)
        row.lines.set([line for line in lines if _covers(terms, line)])
        made.append(row)
    return made


def running_on(coupons: Sequence[ContractCoupon], lines: Sequence[ContractLine], *,
               first_day: date) -> list[tuple[ContractCoupon, RunningCoupon]]:
    """The coupons still running on new `lines` from `first_day`, each line carrying a coupon
    of the line it replaces with the periods the coupon ran before (keys: index in `lines`)."""
    out = []
    for coupon in coupons:
        covered = {line.pk for line in coupon.lines.all()}
        terms = coupon.terms()
        offsets = {str(n): periods_before(line_terms(line), coupon.counts_from, first_day)
                   for n, line in enumerate(lines)
                   if line.replaces_id in covered and _covers(terms, line)}
        offsets = {key: ran for key, ran in offsets.items() if applies_in_period(terms, ran)}
        if offsets:
            budgets = (left_for_new_lines([lines[int(key)] for key in offsets], first_day)
                       if terms.amount_off is not None else {})
            out.append((coupon, RunningCoupon(terms, frozenset(offsets), offsets, budgets)))
    return out


def left_for_new_lines(lines: Sequence[ContractLine], first_day: date) -> dict[int, Decimal]:
    """An amount-off coupon carried onto new `lines` from the lines they replace: in each of
    their billing periods (by index), what the replaced lines' rows took off in that period,
    less what a row cut at `first_day` keeps for the days it still serves (the row and its
    charge before coupons split by days by largest remainder, as `end_early` splits it). The
    kept rows stand, so the coupon is taken once a period, never twice and never lost. A period
    the replaced rows do not match (another alignment, an earlier change's row) is not named:
    the coupon's whole amount."""
    budgets: dict[int, Decimal] = {}
    for line in lines:
        old = line.replaces
        rows = {(r.period_start, r.period_end): r for r in ScheduledCharge.objects.filter(
            line=old, kind=ChargeKind.RECURRING, ended_by__isnull=True)}
        gross = {c.period_end: c for c in schedule_of(old)}
        for n, charge in enumerate(schedule_of(line)):
            before = gross.get(charge.period_end)
            row = rows.get((before.period_start, before.period_end)) if before else None
            if row is None:
                continue
            budgets[n] = budgets.get(n, Decimal(0)) + _taken_after(old, row, before.amount,
                                                                   first_day)
    return budgets


def _taken_after(old: ContractLine, row: ScheduledCharge, gross: Decimal,
                 first_day: date) -> Decimal:
    """What the coupon took off `row` for its days from `first_day` on."""
    currency = old.contract.currency
    taken = gross - row.amount
    if row.period_start >= first_day:
        return taken
    end = row.period_end + timedelta(days=1)
    convention = convention_of(old)
    weights = [days_used(row.period_start, first_day, row.period_start, end, convention),
               days_used(first_day, end, row.period_start, end, convention)]
    kept_gross = allocate(gross, weights, currency)[0]
    kept_net = allocate(round_money(row.amount, currency), weights, currency)[0]
    return taken - (kept_gross - kept_net)


def running_on_day(coupons: Sequence[ContractCoupon], lines: Sequence[ContractLine], *,
                   day: date) -> list[ContractCoupon]:
    """The coupons still running on `day` on some of the contract's `lines` they cover (an
    amendment from `day` records them on its quote: the stacking rule counts them)."""
    out = []
    for coupon in coupons:
        covered = {line.pk for line in coupon.lines.all()}
        terms = coupon.terms()
        if any(applies_in_period(terms, periods_before(line_terms(line), coupon.counts_from,
                                                       day))
               for line in lines if line.pk in covered):
            out.append(coupon)
    return out


def remaining_periods(coupon: ContractCoupon, line: ContractLine, first_day: date) -> int | None:
    """What a renewal from `first_day` carries of the coupon on `line` (billed as the line):
    None for a forever coupon, the periods left of a repeating one, 0 when it has run out."""
    if coupon.duration == CouponDuration.FOREVER:
        return None
    if coupon.duration == CouponDuration.ONCE:
        ran = periods_before(line_terms(line), coupon.counts_from, first_day)
        return 0 if ran else 1
    return max(coupon.periods - periods_before(line_terms(line), coupon.counts_from,
                                               first_day), 0)


def carry_over(coupons: Sequence[tuple[ContractCoupon, RunningCoupon]], contract,
               lines: Sequence[ContractLine]) -> None:
    """The running coupons on the renewing `contract`'s lines (saved): the same redemption."""
    for n, (coupon, running) in enumerate(coupons, start=1):
        row = ContractCoupon.objects.create(
            contract=contract, coupon_id=coupon.coupon_id, redemption_id=coupon.redemption_id,
            position=n, counts_from=coupon.counts_from, duration=coupon.duration,
            periods=coupon.periods)
        row.lines.set([lines[int(key)] for key in sorted(running.keys, key=int)])
