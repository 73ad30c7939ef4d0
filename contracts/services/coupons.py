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

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from catalog.charge_schedule import ChargeKind, LineTerms, charge_schedule, kept_until, row_span
from catalog.coupons import CouponDuration, applies_in_period, left_after_cut, runs_in_period
from catalog.proration import days_used
from contracts.models import ContractCoupon, ContractLine, ScheduleChange, ScheduledCharge
from contracts.services.schedules import convention_of, line_terms, schedule_of
from core.money import allocate, round_money
from quotes.coupon_amounts import (
    RunningCoupon,
    ScheduledLine,
    periods_before,
    running_coupon_schedule,
)
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
               first_day: date, stops_at: Mapping[int, datetime] | None = None,
               made_by: ScheduleChange | None = None,
               ) -> list[tuple[ContractCoupon, RunningCoupon]]:
    """The coupons still running on new `lines` from `first_day`, each line carrying a coupon
    of the line it replaces with the periods the coupon ran before (keys: index in `lines`);
    `stops_at`: the moments replaced lines priced by the second stop at (by pk). `made_by`:
    the change that made `lines`, already stored; worked out again as when it was made."""
    out = []
    for coupon in coupons:
        covered = {line.pk for line in coupon.lines.all()}
        terms = coupon.terms()
        offsets = {str(n): periods_before(line_terms(line), coupon.counts_from, first_day)
                   for n, line in enumerate(lines)
                   if line.replaces_id in covered and _covers(terms, line)}
        offsets = {key: ran for key, ran in offsets.items() if applies_in_period(terms, ran)}
        if offsets:
            budgets = (left_for_new_lines([lines[int(key)] for key in offsets], first_day,
                                          coupon=coupon, coupons=coupons,
                                          stops_at=stops_at or {}, made_by=made_by)
                       if terms.amount_off is not None else {})
            out.append((coupon, RunningCoupon(terms, frozenset(offsets), offsets, budgets)))
    return out


def left_for_new_lines(lines: Sequence[ContractLine], first_day: date, *,
                       coupon: ContractCoupon, coupons: Sequence[ContractCoupon],
                       stops_at: Mapping[int, datetime],
                       made_by: ScheduleChange | None = None) -> dict[int, Decimal]:
    """An amount-off `coupon` carried onto new `lines` from the lines they replace: in each of
    their billing periods (by index), what it took off the replaced lines' rows in that period
    (its own part: what the other `coupons` on the row took is not its), less its share of what
    a row cut at `first_day` keeps of the coupons for the days it still serves (the row and its
    charge before the coupons split by days by largest remainder, as `end_early` splits it; by
    seconds up to the moment a line priced by the second stops at, `stops_at`, as
    `end_early(at=)` does; the coupons on the row share what it keeps of them as
    `catalog.coupons.left_after_cut` says, so their shares add up to it exactly).
    The kept rows stand, so the coupon is taken once a period, never twice and never lost. A
    period the replaced rows do not match (another alignment, an earlier change's row) is not
    named: the coupon's whole amount. With `made_by` (the change that made `lines`, stored)
    the replaced lines are read as they were just before it: their rows then, running to the
    contract's end."""
    budgets: dict[int, Decimal] = {}
    for line in lines:
        old = line.replaces
        rows = {(r.period_start, r.period_end): r for r in _rows_before(old, made_by)}
        gross = {c.period_end: c for c in _charges_before(old, made_by)}
        each = _each_took(coupon, old, coupons)
        for n, charge in enumerate(schedule_of(line)):
            before = gross.get(charge.period_end)
            row = rows.get((before.period_start, before.period_end)) if before else None
            if row is None:
                continue
            took = dict(each.get(before.period_end, {coupon.pk: Decimal(0)}))
            took[coupon.pk] = (before.amount - row.amount
                               - sum(v for pk, v in took.items() if pk != coupon.pk))
            budgets[n] = budgets.get(n, Decimal(0)) + _taken_after(
                old, row, before.amount, took, coupon.pk, first_day, stops_at.get(old.pk))
    return budgets


def _charges_before(old: ContractLine, change: ScheduleChange | None):
    """`old`'s charges before coupons now, or before `change` ended it (to the contract's
    end) when given."""
    if change is None or old.included:
        return schedule_of(old)
    return charge_schedule(line_terms(old, end_on=old.contract.end_on))


def _rows_before(old: ContractLine, change: ScheduleChange | None):
    """`old`'s recurring rows in force now, or just before `change` (stored) when given: the
    rows it ended, not the rows it added."""
    rows = ScheduledCharge.objects.filter(line=old, kind=ChargeKind.RECURRING)
    if change is None:
        return rows.filter(ended_by__isnull=True)
    return rows.filter(Q(ended_by__isnull=True) | Q(ended_by=change)).exclude(change=change)


def _each_took(coupon: ContractCoupon, old: ContractLine,
               coupons: Sequence[ContractCoupon]) -> dict[date, dict[int, Decimal]]:
    """What each of the contract's coupons on `old` took off each of its charges (by the
    period's last day, then the coupon's pk, in the coupons' order), worked out again as its
    rows were (`running_coupon_schedule`): the coupons on it in their order over the lines made
    with it that they cover, each line charging to the contract's end as when it was made.
    Empty when `coupon` ran alone."""
    on_old = [c for c in coupons if any(line.pk == old.pk for line in c.lines.all())]
    if all(c.pk == coupon.pk for c in on_old):
        return {}
    made_with = {line.pk: line for line in ContractLine.objects.filter(
        contract_id=old.contract_id, amendment_id=old.amendment_id,
        start_on=old.start_on).select_related("product", "replaces__product")}
    charges = {}
    for pk, line in made_with.items():
        line.contract = old.contract
        charges[pk] = [] if line.included else charge_schedule(
            line_terms(line, end_on=old.contract.end_on))
    carried = _carried_when_made(list(made_with.values()), coupons)
    running = [carried.get(c.pk) or RunningCoupon(c.terms(), frozenset(
        str(line.pk) for line in c.lines.all() if line.pk in made_with), {
        str(pk): periods_before(line_terms(line), c.counts_from, line.start_on)
        for pk, line in made_with.items()}) for c in on_old]
    schedule = running_coupon_schedule(running, [
        ScheduledLine(str(pk), line.product_id, tuple(c.amount for c in charges[pk]))
        for pk, line in made_with.items()], old.contract.currency)
    own = [(c.pk, by_line[str(old.pk)])
           for c, by_line in zip(on_old, schedule.by_coupon, strict=True)]
    return {charge.period_end: {pk: parts[n] for pk, parts in own}
            for n, charge in enumerate(charges[old.pk])}


def _carried_when_made(made_with: list[ContractLine], coupons: Sequence[ContractCoupon],
                       ) -> dict[int, RunningCoupon]:
    """The contract's coupons that lines an amendment made (`made_with`, one start day) carried
    from the lines they replaced, as `running_on` worked them out then (keys: the lines' pks):
    an amount-off coupon with what was left of it in each period, not its whole amount. Empty
    for lines a contract started with (nothing carried)."""
    replacing = [line for line in made_with if line.replaces_id]
    if not replacing:
        return {}
    for line in replacing:
        line.replaces.contract = line.contract
    # a replaced line stopped when its replacement started (amendments' `amendment_stops`)
    stops = {line.replaces_id: line.starts_at for line in replacing if line.starts_at}
    made_by = ScheduleChange.objects.filter(amendment_id=replacing[0].amendment_id).first()
    pk = {str(n): str(line.pk) for n, line in enumerate(replacing)}
    out = {}
    for coupon, running in running_on(coupons, replacing, first_day=replacing[0].start_on,
                                      stops_at=stops, made_by=made_by):
        out[coupon.pk] = RunningCoupon(
            running.terms, frozenset(pk[key] for key in running.keys),
            {pk[key]: ran for key, ran in running.offsets.items()}, running.budgets)
    return out


def _kept(old: ContractLine, row: ScheduledCharge, amount: Decimal, first_day: date,
          moment: datetime | None) -> Decimal:
    """The part of `amount` (the row's, or its charge before a coupon) that the row cut at
    `first_day` (or at `moment`) keeps, split as the cut splits the row."""
    currency = old.contract.currency
    if moment is not None:
        span = row_span(row.period_start, row.period_end, old.time_zone, old.starts_at)
        return kept_until(amount, currency, span, moment).amount
    end = row.period_end + timedelta(days=1)
    convention = convention_of(old)
    weights = [days_used(row.period_start, first_day, row.period_start, end, convention),
               days_used(first_day, end, row.period_start, end, convention)]
    return allocate(amount, weights, currency)[0]


def _taken_after(old: ContractLine, row: ScheduledCharge, gross: Decimal,
                 took: Mapping[int, Decimal], mine: int, first_day: date,
                 moment: datetime | None = None) -> Decimal:
    """What coupon `mine` took off `row` for its days from `first_day` on, or from `moment` on
    (`gross`: the row's charge before the coupons; `took`: what each coupon on it took off it,
    by pk in their order)."""
    cut_day = first_day if moment is None else first_day + timedelta(days=1)
    if row.period_start >= cut_day:
        return took[mine]
    kept_off = (_kept(old, row, gross, first_day, moment)
                - _kept(old, row, round_money(row.amount, old.contract.currency), first_day,
                        moment))
    left = left_after_cut(list(took.values()), kept_off, old.contract.currency)
    return left[list(took).index(mine)]


def runs_on(duration: str, periods: int | None, counts_from: date, line: LineTerms,
            day: date) -> bool:
    """Whether a contract coupon running for `duration` (`periods`), counted from
    `counts_from`, still discounts the line billed by `line` in the period holding `day`."""
    return runs_in_period(duration, periods, periods_before(line, counts_from, day))


def running_by_line(coupons: Sequence[ContractCoupon], lines: Sequence[ContractLine], *,
                    day: date) -> dict[int, list[ContractCoupon]]:
    """For each of the contract's `lines` (by pk), the coupons still running on it on `day`
    (an amendment from `day` records them on its quote's lines: the stacking rule counts those
    on the lines it changes). Reads only the rows' fields (`runs_on`), so the data migration
    that records them on older amendment quotes calls it with its historical models."""
    out: dict[int, list[ContractCoupon]] = {line.pk: [] for line in lines}
    for coupon in coupons:
        covered = {line.pk for line in coupon.lines.all()}
        for line in lines:
            if line.pk in covered and runs_on(coupon.duration, coupon.periods,
                                              coupon.counts_from, line_terms(line), day):
                out[line.pk].append(coupon)
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
