"""Material rights on a revenue contract (IFRS 15.B39-B47; ASC 606-10-55-41..46): an
accountant's judgement, recorded with its evidence, and the schedule lines its exercise earns.

- `grant_material_right`: the right becomes a performance obligation (pattern on redemption)
  with its own SSP (`revrec.rights.option_ssp`); its share of the goods' price by relative SSP
  is carved out of the contract's open goods (their allocation falls in proportion, their
  schedules are rebuilt, a month already recognized caught up in the first open one).
- `record_redemption` and `reestimate_redemptions`: what the right has earned to date is
  re-measured (`revrec.rights.recognized_to_date`: exercised / expected, breakage included,
  B46) and the difference scheduled in the month of the event, or in the first month the
  revenue contract has not recognized when that month is closed to it.
- `expire_material_rights`: rights past their last day expire (transition with history) and
  earn what is left of them (B46-B47); the recognition run calls it for its month first.
- `recognize_on_redemption`: prepaid credits or a gift card sold as goods (B44-B47) earn by
  the same events: as used over the use expected, re-estimated, and at expiry.

The recognition run then posts these lines like any other (revenue by product family, the
right's family being its goods'); the liability for the rights outstanding is the deferred
revenue the goods' invoices left unrecognized.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from core.actors import require
from core.dates import add_months, business_date, month_start
from core.money import round_money
from core.transitions import run_bulk_transition
from revrec import rights
from revrec.models import (
    AllocationRule,
    MaterialRight,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionItem,
    RevenueContract,
    RightEvent,
    RightEventKind,
    RightKind,
    RightState,
    ScheduleLine,
)
from revrec.services.variable import reschedule

ZERO = Decimal(0)
PERMISSION = "revrec.account_material_rights"
REFUSED = "You are not allowed to account for material rights."
GOODS = (Pattern.RATABLE, Pattern.POINT_IN_TIME)
UNITS = Decimal("0.0001")


def _decimal(errors: dict, field: str, value, label: str) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = f"Give {label} as a number."
        return None


def _shown(units: Decimal) -> str:
    """600, not 600.0000 nor 6E+2."""
    return f"{units.normalize():f}"


def _first_message(error: ValueError) -> str:
    text = str(error)
    return f"{text[0].upper()}{text[1:]}."


def _wording_errors(kind: str, description: str, evidence: str, expires_on: date | None,
                    today: date) -> dict[str, str]:
    errors = {}
    if kind not in RightKind.values:
        errors["kind"] = f"Unknown kind {kind!r}."
    if not description.strip():
        errors["description"] = "Say what the customer was granted."
    if not evidence.strip():
        errors["evidence"] = ("Say why the customer would not get it without the contract "
                              "(IFRS 15.B40) and what the estimates rest on.")
    if expires_on is None or expires_on < today:
        errors["expires_on"] = "Give the last day the rights can be exercised, not in the past."
    return errors


def _right_ssp(errors: dict, value, rate, likelihood, currency: str) -> Decimal | None:
    """The option's SSP (B42), None when its inputs are wrong (`errors` says why)."""
    if None in (value, rate, likelihood):
        return None
    try:
        ssp = rights.option_ssp(value, rate, likelihood, currency)
    except ValueError as error:
        errors["likelihood" if "likelihood" in str(error) else
               "discount_rate" if "discount" in str(error) else "value"] = _first_message(error)
        return None
    if ssp == 0:
        errors["value"] = "The right's SSP rounds to nothing: it is not material (B40)."
    return ssp


def _units_expected(errors: dict, units, likelihood, units_expected) -> Decimal | None:
    """The rights expected to be exercised: as given, else granted × likelihood."""
    if units is None or likelihood is None or "units" in errors:
        return None
    expected = (_decimal(errors, "units_expected", units_expected, "the rights expected")
                if units_expected not in (None, "") else (units * likelihood).quantize(UNITS))
    if expected is not None and not ZERO <= expected <= units:
        errors["units_expected"] = "Expect between 0 and the rights granted to be exercised."
    return expected


@transaction.atomic
def grant_material_right(*, revenue_contract: RevenueContract, kind: str, description: str,
                         units, value, discount_rate, likelihood, expires_on: date,
                         evidence: str, units_expected=None, by,
                         on: date | None = None) -> MaterialRight:
    """Record a material right granted by the contract (IE Example 49, 52) and carve its share
    of the price out of the contract's open goods; see the module docstring."""
    actor = require(by, PERMISSION, REFUSED)
    today = business_date(on)
    rc = RevenueContract.objects.select_for_update().get(pk=revenue_contract.pk)
    errors = _wording_errors(kind, description, evidence, expires_on, today)
    units = _decimal(errors, "units", units, "the rights granted")
    value = _decimal(errors, "value", value, "the purchases the rights apply to")
    rate = _decimal(errors, "discount_rate", discount_rate, "the incremental discount")
    likelihood = _decimal(errors, "likelihood", likelihood, "the likelihood of exercise")
    if units is not None and units <= 0:
        errors["units"] = "Grant at least one right."
    ssp = _right_ssp(errors, value, rate, likelihood, rc.currency)
    expected = _units_expected(errors, units, likelihood, units_expected)
    goods = list(PerformanceObligation.objects.select_for_update()
                 .filter(revenue_contract=rc, status=ObligationStatus.OPEN, pattern__in=GOODS)
                 .select_related("revenue_contract", "product").order_by("pk"))
    price = sum((o.allocated for o in goods), ZERO)
    if not price:
        errors["kind"] = "The contract has no open goods with a price to share with a right."
    if errors:
        raise ValidationError(errors)

    share = rights.carve_out(price, sum((o.ssp for o in goods), ZERO), ssp, rc.currency)
    for obligation, allocated in zip(goods, rights.reduce_goods(
            [o.allocated for o in goods], share, rc.currency), strict=True):
        obligation.allocated = allocated
    PerformanceObligation.objects.bulk_update(goods, ["allocated"])
    reschedule(rc, goods)
    first = max(goods, key=lambda o: o.allocated)
    obligation = PerformanceObligation.objects.create(
        revenue_contract=rc, contract_line=None, product=first.product, family=first.family,
        pattern=Pattern.ON_REDEMPTION, ssp=ssp, allocated=share,
        allocation_rule=AllocationRule.CARVED_OUT, pool=price,
        pool_ssp=sum((o.ssp for o in goods), ZERO) + ssp, service_start=today,
        service_end=expires_on + timedelta(days=1))
    right = MaterialRight.objects.create(
        obligation=obligation, kind=kind, description=description.strip(), units=units,
        value=value, discount_rate=rate, likelihood=likelihood, units_expected=expected,
        expires_on=expires_on, evidence=evidence.strip(), granted_by=actor.user,
        granted_on=today)
    RightEvent.objects.create(right=right, kind=RightEventKind.GRANTED, units_redeemed=ZERO,
                              units_expected=expected, earned_to_date=ZERO, change=ZERO,
                              month=month_start(today), on=today, reason=evidence.strip(),
                              by=actor.user)
    rc.modified_on = today
    rc.save(update_fields=["modified_on"])
    return right


@transaction.atomic
def recognize_on_redemption(*, obligation: PerformanceObligation, units, units_expected,
                            expires_on: date, evidence: str, by,
                            on: date | None = None) -> MaterialRight:
    """Prepaid credits or a gift card (B44-B47): the obligation, paid for now, is earned as the
    credits are used over those expected to be (breakage in proportion, B46), the rest when
    they lapse; the same events as a material right move it (`record_redemption`,
    `reestimate_redemptions`, `expire_material_rights`). Only before any of it is recognized."""
    actor = require(by, PERMISSION, REFUSED)
    today = business_date(on)
    rc = RevenueContract.objects.select_for_update().get(obligations=obligation)
    obligation = PerformanceObligation.objects.select_for_update().get(pk=obligation.pk)
    errors: dict[str, str] = {}
    if obligation.pattern != Pattern.POINT_IN_TIME or obligation.status != ObligationStatus.OPEN:
        errors["obligation"] = "Credits are open goods sold for a point in time."
    elif obligation.schedule.filter(run__isnull=False).exists():
        errors["obligation"] = "Some of it is recognized already."
    if not evidence.strip():
        errors["evidence"] = "Say what the credits are and what the expected use rests on."
    if expires_on is None or expires_on < today:
        errors["expires_on"] = "Give the last day the credits can be used, not in the past."
    units = _decimal(errors, "units", units, "the credits sold")
    expected = _decimal(errors, "units_expected", units_expected, "the credits expected")
    if units is not None and units <= 0:
        errors["units"] = "Sell at least one credit."
    elif None not in (units, expected) and not ZERO <= expected <= units:
        errors["units_expected"] = "Expect between 0 and the credits sold to be used."
    if errors:
        raise ValidationError(errors)
    obligation.pattern = Pattern.ON_REDEMPTION
    obligation.save(update_fields=["pattern"])
    ScheduleLine.objects.filter(obligation=obligation, run__isnull=True).delete()
    right = MaterialRight.objects.create(
        obligation=obligation, kind=RightKind.PREPAID, description=obligation.product.name,
        units=units, value=obligation.allocated, discount_rate=Decimal(1),
        likelihood=(expected / units).quantize(Decimal("0.000001")), units_expected=expected,
        expires_on=expires_on, evidence=evidence.strip(), granted_by=actor.user,
        granted_on=today)
    RightEvent.objects.create(right=right, kind=RightEventKind.GRANTED, units_redeemed=ZERO,
                              units_expected=expected, earned_to_date=ZERO, change=ZERO,
                              month=month_start(today), on=today, reason=evidence.strip(),
                              by=actor.user)
    rc.modified_on = today
    rc.save(update_fields=["modified_on"])
    return right


def _locked(right: MaterialRight) -> MaterialRight:
    """The right's revenue contract, then the right (revrec's lock order)."""
    RevenueContract.objects.select_for_update().get(obligations__material_right=right)
    return (MaterialRight.objects.select_for_update().select_related("obligation__revenue_contract")
            .get(pk=right.pk))


@transaction.atomic
def record_redemption(*, right: MaterialRight, units, by, on: date | None = None,
                      reason: str = "") -> RightEvent:
    """The customer exercised `units` of the right on `on`: schedule what that earned (B40)."""
    actor = require(by, PERMISSION, REFUSED)
    today = business_date(on)
    right = _locked(right)
    errors: dict[str, str] = {}
    units = _decimal(errors, "units", units, "the rights exercised")
    if right.state != RightState.OPEN:
        errors["units"] = f"The rights lapsed after {right.expired_on:%Y-%m-%d}."
    elif today > right.expires_on:
        errors["units"] = f"The rights could be exercised up to {right.expires_on:%Y-%m-%d}."
    elif units is not None and units <= 0:
        errors["units"] = "Exercise at least part of one right."
    elif units is not None and right.units_redeemed + units > right.units:
        errors["units"] = (f"Only {_shown(right.units - right.units_redeemed)} of the "
                           f"{_shown(right.units)} rights granted are left.")
    if errors:
        raise ValidationError(errors)
    right.units_redeemed += units
    right.save(update_fields=["units_redeemed"])
    (event,) = _schedule([_Change(right, RightEventKind.REDEEMED, units, reason.strip())],
                         by=actor, on=today)
    return event


@transaction.atomic
def reestimate_redemptions(*, right: MaterialRight, units_expected, reason: str, by,
                           on: date | None = None) -> RightEvent:
    """A new estimate of the rights that will be exercised (the breakage changes): what the
    right earned to date is re-measured and the difference scheduled (IE Example 52, IE270)."""
    actor = require(by, PERMISSION, REFUSED)
    today = business_date(on)
    right = _locked(right)
    errors: dict[str, str] = {}
    expected = _decimal(errors, "units_expected", units_expected, "the rights expected")
    if not reason.strip():
        errors["reason"] = "Say what the new estimate rests on."
    if right.state != RightState.OPEN:
        errors["units_expected"] = f"The rights lapsed after {right.expired_on:%Y-%m-%d}."
    elif expected is not None and not right.units_redeemed <= expected <= right.units:
        errors["units_expected"] = (f"Expect between the {_shown(right.units_redeemed)} "
                                    f"exercised and the {_shown(right.units)} granted.")
    if errors:
        raise ValidationError(errors)
    right.units_expected = expected
    right.save(update_fields=["units_expected"])
    (event,) = _schedule([_Change(right, RightEventKind.RE_ESTIMATED, ZERO, reason.strip())],
                         by=actor, on=today)
    return event


@transaction.atomic
def expire_material_rights(*, through: date, by, on: date | None = None) -> list[RightEvent]:
    """Expire every open right whose last day is `through` or earlier, each earning what is left
    of it, scheduled in its month of expiry (or its contract's first open month); a second call
    finds nothing to do."""
    due = MaterialRight.objects.filter(state=RightState.OPEN, expires_on__lte=through)
    rc_ids = sorted(set(due.values_list("obligation__revenue_contract_id", flat=True)))
    if not rc_ids:  # a run with no right to expire needs no permission over rights
        return []
    actor = require(by, PERMISSION, REFUSED)
    today = business_date(on)
    list(RevenueContract.objects.select_for_update().filter(pk__in=rc_ids).order_by("pk"))
    expiring = list(due.select_for_update().select_related("obligation__revenue_contract")
                    .order_by("pk"))
    by_day: dict[date, list[MaterialRight]] = defaultdict(list)
    for right in expiring:
        by_day[right.expires_on].append(right)
    for day, group in sorted(by_day.items()):
        run_bulk_transition(group, "expire", by=actor, on=today, update_fields=["expired_on"],
                            effective=day, note=f"Rights left lapsed after {day:%Y-%m-%d}")
    return _schedule([_Change(r, RightEventKind.EXPIRED, ZERO, "Rights left lapsed (B46)",
                              r.expires_on) for r in expiring], by=actor, on=today)


@dataclass(frozen=True)
class _Change:
    right: MaterialRight
    kind: str
    units: Decimal
    reason: str
    on: date | None = None  # the event's day, when not the business date


def _schedule(changes: list[_Change], *, by, on: date) -> list[RightEvent]:
    """For each right: what it has earned to date less what is scheduled for it, as a schedule
    line in the month of the event or its contract's first open month (added to an open line
    already there); one event row each. Four queries whatever the number of rights."""
    obligation_ids = [c.right.obligation_id for c in changes]
    rc_ids = {c.right.obligation.revenue_contract_id for c in changes}
    scheduled = dict(ScheduleLine.objects.filter(obligation_id__in=obligation_ids).order_by()
                     .values_list("obligation_id").annotate(total=Sum("amount")))
    last_done = dict(RecognitionItem.objects.filter(revenue_contract_id__in=rc_ids).order_by()
                     .values_list("revenue_contract_id").annotate(last=Max("month")))
    plans, events = [], []
    for change in changes:
        right, obligation = change.right, change.right.obligation
        currency = obligation.revenue_contract.currency
        day = change.on or on
        earned = rights.recognized_to_date(
            obligation.allocated, currency, expected=right.units_expected,
            redeemed=right.units_redeemed, expired=right.state == RightState.EXPIRED)
        amount = earned - round_money(scheduled.get(obligation.pk, ZERO), currency)
        done = last_done.get(obligation.revenue_contract_id)
        month = max(month_start(day), add_months(done, 1)) if done else month_start(day)
        plans.append((obligation.pk, month, day, amount))
        events.append(RightEvent(right=right, kind=change.kind, units=change.units,
                                 units_redeemed=right.units_redeemed,
                                 units_expected=right.units_expected, earned_to_date=earned,
                                 change=amount, month=month, on=day, reason=change.reason,
                                 by=by.user))
    _write_lines([p for p in plans if p[3]])
    return RightEvent.objects.bulk_create(events)


def _write_lines(plans: list[tuple[int, date, date, Decimal]]) -> None:
    """Add each amount to the open line of its obligation and month, or a new line."""
    if not plans:
        return
    existing = {(line.obligation_id, line.month): line for line in ScheduleLine.objects.filter(
        obligation_id__in={p[0] for p in plans}, month__in={p[1] for p in plans},
        run__isnull=True)}
    new, changed = [], []
    for obligation_id, month, day, amount in plans:
        line = existing.get((obligation_id, month))
        if line is None:
            line = ScheduleLine(obligation_id=obligation_id, month=month, start_on=day,
                                end_on=day, amount=amount)
            existing[obligation_id, month] = line
            new.append(line)
        else:
            line.amount += amount
            line.start_on, line.end_on = min(line.start_on, day), max(line.end_on, day)
            if line not in new:
                changed.append(line)
    ScheduleLine.objects.bulk_update(changed, ["amount", "start_on", "end_on"])
    ScheduleLine.objects.bulk_create(new)
