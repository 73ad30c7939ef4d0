"""Storing contract lines' charge schedules (`catalog.charge_schedule`), and changing them.

Every place that starts a line (a contract made from a quote, an import, a renewal, an
amendment) calls `schedule_lines`; every place that ends one early (an amendment, a termination)
calls `end_lines`. Rows are never edited: a change ends rows (`ended_by`) and adds rows, each
saying which change made it. Called inside the caller's transaction, after it locked the contract.

What an invoice holds is billing's fact: a row is billed when a `billing.BillingRecord` points
at it (`billing_record`). Ending a line locks its rows first, as the invoice run does, so a row is
never billed and ended at once.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from catalog.charge_schedule import Charge, LineTerms, Row, charge_schedule, end_early
from catalog.coupons import CouponTerms
from catalog.models import ProductKind
from catalog.proration import Convention, DayCount, local_day
from contracts.models import ContractLine, ScheduleChange, ScheduledCharge
from core.money import round_money
from quotes.coupon_amounts import RunningCoupon, less_coupons, less_running_coupons


def convention_of(line: ContractLine) -> Convention:
    return Convention(DayCount(line.proration_convention))


def line_terms(line: ContractLine, *, amount_per_period: Decimal | None = None,
               end_on: date | None = None) -> LineTerms:
    """The line as the pure schedule reads it (its product must be loaded)."""
    return LineTerms(
        currency=line.contract.currency, billing_period=line.billing_period,
        amount_per_period=(line.amount_per_period if amount_per_period is None
                           else amount_per_period),
        start_on=line.start_on, end_on=line.end_on if end_on is None else end_on,
        alignment=line.billing_alignment, bill_day=line.bill_day,
        convention=convention_of(line), usage=line.product.kind == ProductKind.USAGE,
        granularity=line.proration_granularity, starts_at=line.starts_at,
        ends_at=line.ends_at if end_on is None else None, time_zone=line.time_zone)


def _row(line: ContractLine, change: ScheduleChange, charge: Charge,
         about: ScheduledCharge | None = None) -> ScheduledCharge:
    return ScheduledCharge(
        line=line, change=change, about=about, kind=charge.kind,
        period_start=charge.period_start, period_end=charge.period_end, due_on=charge.due_on,
        amount=charge.amount, currency=line.contract.currency, days=charge.days,
        period_days=charge.period_days, seconds=charge.seconds,
        period_seconds=charge.period_seconds, explanation=charge.explanation[:255])


def schedule_of(line: ContractLine) -> list[Charge]:
    """The line's charges over its term (an included line charges nothing: no rows)."""
    return [] if line.included else charge_schedule(line_terms(line))


def price_from_schedule(line: ContractLine, list_per_period: Decimal) -> None:
    """Set the line's term figures (in memory) to what its schedule charges, so what the
    contract states is what is billed: net and list over the term, and their difference."""
    currency = line.contract.currency
    line.net_amount = round_money(sum((c.amount for c in schedule_of(line)), Decimal(0)),
                                  currency)
    if line.included or line.product.kind == ProductKind.USAGE:
        line.list_amount = line.discount_amount = round_money(Decimal(0), currency)
        return
    listed = charge_schedule(line_terms(line, amount_per_period=list_per_period))
    line.list_amount = round_money(sum((c.amount for c in listed), Decimal(0)), currency)
    line.discount_amount = line.list_amount - line.net_amount


def charges_of(lines: Sequence[ContractLine], coupons: Sequence[CouponTerms] = (), *,
               running: Sequence[RunningCoupon] = ()) -> list[list[Charge]]:
    """Each line's charges, in the order of `lines`, less what the coupons take off them for
    their duration (`quotes.coupon_amounts`, the quote's own figures): the rows store what is
    billed and recognized, so billing and revenue need not know of coupons. `running` are
    coupons that run on some of the lines only, or carried from earlier periods (keys: the
    line's index in `lines`), as an amendment or a renewal carries them."""
    if running and lines:
        charged = less_running_coupons(
            [*(RunningCoupon(terms) for terms in coupons), *running],
            [(str(n), line.product_id, schedule_of(line)) for n, line in enumerate(lines)],
            lines[0].contract.currency)
        return [charged[str(n)] for n in range(len(lines))]
    if not coupons:
        return [schedule_of(line) for line in lines]
    charged = less_coupons(coupons, [(str(n), line.product_id, schedule_of(line))
                                     for n, line in enumerate(lines)],
                           lines[0].contract.currency)
    return [charged[str(n)] for n in range(len(lines))]


def take_coupons_off(lines: Sequence[ContractLine], coupons: Sequence[CouponTerms],
                     charged: Sequence[Sequence[Charge]] | None = None) -> None:
    """Set new lines' net over the term (in memory) to what they charge after the coupons
    (or `charged`, each line's charges already less them); their discount over the term counts
    the coupons too."""
    if not coupons and charged is None:
        return
    for line, charges in zip(lines, charged or charges_of(lines, coupons), strict=True):
        line.net_amount = round_money(sum((c.amount for c in charges), Decimal(0)),
                                      line.contract.currency)
        line.discount_amount = line.list_amount - line.net_amount


def schedule_rows(lines: Iterable[ContractLine], change: ScheduleChange,
                  coupons: Sequence[CouponTerms] = (),
                  charged: Sequence[Sequence[Charge]] | None = None) -> list[ScheduledCharge]:
    """The schedule rows of new lines (already saved), made by `change`, less the coupons
    (or `charged`: each line's charges as worked out already); unsaved."""
    lines = list(lines)
    charged = charges_of(lines, coupons) if charged is None else charged
    return [_row(line, change, charge)
            for line, charges in zip(lines, charged, strict=True)
            for charge in charges]


def schedule_lines(lines: Iterable[ContractLine], change: ScheduleChange,
                   coupons: Sequence[CouponTerms] = (),
                   charged: Sequence[Sequence[Charge]] | None = None) -> list[ScheduledCharge]:
    """Store the schedule of each new line (already saved), made by `change`."""
    return ScheduledCharge.objects.bulk_create(schedule_rows(lines, change, coupons, charged),
                                               batch_size=1000)


def rows_for_update(lines: Sequence[ContractLine]) -> list[ScheduledCharge]:
    """The lines' rows in force, locked in pk order (the order the invoice run locks them)."""
    return list(ScheduledCharge.objects.select_for_update()
                .filter(line__in=lines, ended_by__isnull=True).order_by("pk"))


def billed_ids(rows: Sequence[ScheduledCharge]) -> set[int]:
    return set(ScheduledCharge.objects.filter(pk__in=[r.pk for r in rows],
                                              billing_record__isnull=False)
               .values_list("pk", flat=True))


def _pure_rows(rows: Sequence[ScheduledCharge], billed: set[int]) -> list[Row]:
    return [Row(r.pk, r.kind, r.period_start, r.period_end, r.due_on,
                round_money(r.amount, r.currency), r.pk in billed) for r in rows]


@dataclass(frozen=True)
class LinesEnded:
    ended: list[ScheduledCharge]  # rows no invoice held, ended
    added: list[ScheduledCharge]  # shorter charges for them, and credits for rows billed

    @property
    def removed(self) -> Decimal:
        return sum((r.amount for r in self.ended), Decimal(0))


def _ending(line: ContractLine, rows: list[Row], last_day: date, stops_at: datetime | None):
    if stops_at is not None:  # its last day is the one holding the moment
        last_day = local_day(stops_at, line.time_zone)
    return end_early(rows, last_day=last_day, currency=line.contract.currency,
                     convention=convention_of(line), at=stops_at, time_zone=line.time_zone,
                     starts_at=line.starts_at)


def end_lines(lines: Sequence[ContractLine], *, last_day: date,
              change: ScheduleChange | None,
              stops_at: Mapping[int, datetime] | None = None) -> LinesEnded:
    """What ending `lines` on `last_day` does to their schedules: rows no invoice holds end and
    the days up to `last_day` are charged by shorter rows; rows already billed get a credit for
    the days after it. A line named in `stops_at` (by pk; priced by the second) stops at that
    moment instead, its row holding it split by seconds (`end_early(at=)`). With
    `change` None nothing is written (a preview)."""
    stops_at = stops_at or {}
    rows = rows_for_update(lines) if change is not None else list(
        ScheduledCharge.objects.filter(line__in=lines, ended_by__isnull=True).order_by("pk"))
    billed = billed_ids(rows)
    by_line: dict[int, list[ScheduledCharge]] = {}
    for row in rows:
        by_line.setdefault(row.line_id, []).append(row)
    ended, added = [], []
    for line in lines:
        line_rows = by_line.get(line.pk, [])
        ending = _ending(line, _pure_rows(line_rows, billed), last_day, stops_at.get(line.pk))
        about = {row.pk: row for row in line_rows}
        ended += [about[key] for key in ending.ended]
        added += [_row(line, change, charge, about[key]) for key, charge in ending.added]
    if change is not None:
        ScheduledCharge.objects.filter(pk__in=[r.pk for r in ended]).update(ended_by=change)
        ScheduledCharge.objects.bulk_create(added)
    return LinesEnded(ended, added)


def charges_in_force(lines: Iterable[ContractLine]):
    """The rows that count now: not ended (the rows a line bills and is recognized from)."""
    return ScheduledCharge.objects.filter(line__in=lines, ended_by__isnull=True)
