"""Variable consideration on a revenue contract (IFRS 15.50-59, 15.84-90; ASC 606-10-32-5..14).

`estimate_variable_consideration` records a new version of the estimate (the latest is in
force), moves the transaction price to fixed + the constrained amount and allocates the change
from the amount in force on the basis of contract inception (15.88): by the SSPs of the
obligations the revenue contract started with, not re-allocated for later SSPs, or wholly to one
open obligation when IFRS 15.85 holds for it (15.89); then rebuilds the schedules of the
obligations whose allocation changed.

A change of estimate is a cumulative catch-up (15.88): months recognized stay; the difference
between what the new schedule earns up to them and what they recognized goes to the first
month the revenue contract has not recognized yet (`contracts._rescheduled`), so the next run
posts it and later months follow the new schedule. Obligations delivered by units on an order
need no new lines: the run earns their new allocation × units delivered less what is
scheduled (`schedule_rows.delivery_lines`). Usage (as billed) and material rights (which keep
the share carved out for them) take no part. An obligation a modification ended (15.21(a))
keeps the part of its share it earned before the modification, recognized in the first open
month as it is satisfied, and passes the rest to its successor (15.90(a), IE Example 6:
`variable.attribute_change`); when the modification made a new contract of several obligations
(`ModificationMember`), the rest goes to them in the shares that contract allocated them (IE39:
Y's part to Y and Z). Goods it found partly delivered pass on the part of the units left (in
proportion to the price they brought) and keep the rest, earned at once by the units delivered
before (`earned_before`).
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from contracts.models import ContractLine
from core.actors import as_actor
from core.dates import add_months, business_date
from core.money import allocate, round_money
from orders.selectors import has_order_line_of_contract_line
from revrec import variable
from revrec.models import (
    AllocationRule,
    EstimateMethod,
    ModificationMember,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionItem,
    RevenueContract,
    ScheduleLine,
    VariableConsideration,
    VariableKind,
)
from revrec.services.contracts import _existing_schedule, _rescheduled, _schedule_for
from revrec.services.schedule_rows import insert_schedule_rows

ZERO = Decimal(0)
ESTIMATE_PERMISSION = "revrec.estimate_variable_consideration"
# Usage is recognized as billed; a material right keeps the share carved out for it when granted
# (revrec.services.rights): variable consideration is allocated to the goods.
NOT_ALLOCATED = (Pattern.AS_BILLED, Pattern.ON_REDEMPTION)


def parse_scenarios(rows) -> tuple[variable.Scenario, ...]:
    """(amount, probability) pairs, or dicts with those keys, as scenarios."""
    try:
        return tuple(variable.Scenario(Decimal(str(a)), Decimal(str(p))) for a, p in (
            (row["amount"], row["probability"]) if isinstance(row, dict) else row
            for row in rows))
    except (InvalidOperation, KeyError, TypeError, ValueError):
        raise ValidationError({"scenarios": "Give each scenario as an amount and a "
                                            "probability."}) from None


# The key of an obligation's units a 15.21(a) new contract took, apart from the obligation's own
# key, which keeps the part of a change its units delivered before earn at once (15.90(a)).
LEFT = ":left"


def _attributed(change: Decimal, currency: str, obligations
                ) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """`change` on the basis of contract inception (15.88, 15.90(a); `variable.attribute_change`):
    the obligations the revenue contract started with, by their SSPs then, each share passed
    down to the successor of an obligation a modification ended. Goods an amendment added
    (their own price) and obligations ended without a successor (terminated) take no part.
    Returns each obligation's share and, of it, the part its units delivered before a 15.21(a)
    modification earned (in proportion to the price they kept)."""
    if not change:
        return {}, {}
    successor_of = {o.predecessor_id: o for o in obligations if o.predecessor_id}

    def last(obligation):
        while obligation.pk in successor_of:
            obligation = successor_of[obligation.pk]
        return obligation

    basis = [(str(o.pk), o.ssp) for o in obligations
             if o.predecessor_id is None
             and o.allocation_rule not in (AllocationRule.OWN_PRICE, AllocationRule.MODIFICATION)
             and last(o).status == ObligationStatus.OPEN]
    if not basis:
        raise ValidationError({"constrained": "None of the goods the contract started with is "
                                              "still promised: allocate the change to one "
                                              "obligation (IFRS 15.85)."})
    ended = [o for o in obligations if o.pk in successor_of]
    kept = dict(ScheduleLine.objects.filter(obligation__in=ended).order_by()
                .values("obligation").annotate(total=Sum("amount"))
                .values_list("obligation", "total")) if ended else {}
    carried = {str(o.pk): (str(successor_of[o.pk].pk), kept.get(o.pk, ZERO), o.allocated)
               for o in ended}
    by_pk = {o.pk: o for o in obligations}
    for carries, (members, brought) in _new_contracts(obligations).items():
        if carries in successor_of:  # ended: it passes what it did not keep
            carried[str(carries)] = (members, kept.get(carries, ZERO), by_pk[carries].allocated)
        else:  # the new contract kept its units left: they pass what they brought
            before = by_pk[carries].earned_before
            carried[str(carries)] = (members, before, before + brought)
    shares: dict[int, Decimal] = {}
    delivered_before: dict[int, Decimal] = {}
    for key, share in variable.attribute_change(change, currency, basis, carried).items():
        pk = int(key.removesuffix(LEFT))
        shares[pk] = shares.get(pk, ZERO) + share
        if not key.endswith(LEFT) and by_pk[pk].units_before:
            delivered_before[pk] = share
    return shares, delivered_before


def _new_contracts(obligations) -> dict[int, tuple[tuple[tuple[str, Decimal], ...], Decimal]]:
    """{obligation from before a 15.21(a) modification: (the members of the new contract it
    went into, ((key, its allocation there), ...), what it brought)}, the member it is itself
    keyed `LEFT` (`ModificationMember`, one query)."""
    rows = list(ModificationMember.objects.filter(obligation__in=[o.pk for o in obligations])
                .order_by("pk").values_list("modification_id", "obligation_id", "carries_id",
                                            "allocated", "consideration"))
    members: dict[int, list] = defaultdict(list)
    for modification, obligation, carries, allocated, _ in rows:
        members[modification].append(
            (f"{obligation}{LEFT}" if obligation == carries else str(obligation), allocated))
    return {carries: (tuple(members[modification]), brought)
            for modification, _, carries, _, brought in rows if carries is not None}


def _caught_up(ended, shares: dict[int, Decimal], currency: str) -> dict[int, tuple]:
    """The schedules of ended obligations with their share of a change spread over the months
    they kept in proportion: `_rescheduled` catches up the months recognized in the first open
    one (15.88)."""
    rows = _existing_schedule(ended) if ended else {}
    return {pk: tuple(replace(line, amount=amount) for line, amount in zip(
        lines, allocate(sum((x.amount for x in lines), ZERO) + shares[pk],
                        [x.amount for x in lines], currency), strict=True))
        for pk, lines in rows.items()}


def first_open(revenue_contract: RevenueContract) -> date | None:
    """The first month the revenue contract has not recognized (None before its first run)."""
    last = (RecognitionItem.objects.filter(revenue_contract=revenue_contract)
            .order_by("-month").values_list("month", flat=True).first())
    return add_months(last, 1) if last else None


def _sentence(error: ValueError) -> str:
    return f"{str(error)[0].upper()}{str(error)[1:]}."


def _wording_errors(kind: str, method: str, reason: str, constraint_reason: str) -> dict:
    errors = {}
    if kind not in VariableKind.values:
        errors["kind"] = f"Unknown kind {kind!r}."
    if method not in EstimateMethod.values:
        errors["method"] = f"Unknown method {method!r}."
    if not reason.strip():
        errors["reason"] = "Say why the consideration is estimated so."
    if not constraint_reason.strip():
        errors["constraint_reason"] = "Say why a significant reversal of the amount included " \
                                      "is highly probable not to occur."
    return errors


def _amount_errors(errors: dict, method: str, parsed, constrained, currency: str
                   ) -> tuple[Decimal | None, Decimal | None]:
    """The estimate and the constrained amount, each None when `errors` got its problem."""
    estimate = constrained_amount = None
    if "method" not in errors:
        try:
            estimate = variable.estimate(method, parsed, currency)
        except ValueError as error:
            errors["scenarios"] = _sentence(error)
    try:
        constrained_amount = round_money(Decimal(str(constrained)), currency)
    except InvalidOperation:
        errors["constrained"] = "Give the amount included as a number."
    if estimate is not None and constrained_amount is not None:
        try:
            variable.check_constrained(constrained_amount, estimate)
        except ValueError as error:
            errors["constrained"] = _sentence(error)
    return estimate, constrained_amount


def _allocation_errors(errors: dict, open_pks: set[int], allocated_to, reason: str) -> None:
    if not open_pks:
        errors["allocated_to"] = "The revenue contract has no open obligation to allocate to."
    if allocated_to is None:
        return
    if allocated_to.pk not in open_pks:
        errors["allocated_to"] = "Allocate to one of this contract's open obligations."
    elif not reason.strip():
        errors["allocation_reason"] = "Say why it relates to this obligation alone (IFRS 15.85)."


def _allocate_change(change: Decimal, rc: RevenueContract, obligations, allocated_to
                     ) -> tuple[list[PerformanceObligation], dict[int, Decimal]]:
    """Each obligation's share of `change` added to its allocation: wholly to `allocated_to`
    when 15.85 holds for it (15.89), else on the basis of inception; returns those changed and
    their shares."""
    if allocated_to is not None:
        shares, delivered_before = {allocated_to.pk: change} if change else {}, {}
    else:
        shares, delivered_before = _attributed(change, rc.currency, obligations)
    changed = [o for o in obligations if o.pk in shares]
    for obligation in changed:
        obligation.allocated += shares[obligation.pk]
        obligation.variable += shares[obligation.pk]
        obligation.earned_before += delivered_before.get(obligation.pk, ZERO)
        if obligation.allocated < 0:
            raise ValidationError({"constrained": f"{obligation.product_id} would be "
                                                  "allocated less than 0."})
    PerformanceObligation.objects.bulk_update(changed, ["allocated", "variable",
                                                        "earned_before"])
    return changed, shares


@transaction.atomic
def estimate_variable_consideration(
        *, revenue_contract: RevenueContract, kind: str, method: str, scenarios,
        constrained: Decimal, constraint_reason: str, reason: str,
        allocated_to: PerformanceObligation | None = None, allocation_reason: str = "",
        by, on: date | None = None) -> VariableConsideration:
    """Record a (re-)estimate and put it in force; see the module docstring."""
    actor = as_actor(by)
    if not actor.has_perm(ESTIMATE_PERMISSION):
        raise PermissionDenied("You are not allowed to estimate variable consideration.")
    rc = RevenueContract.objects.select_for_update().get(pk=revenue_contract.pk)
    errors = _wording_errors(kind, method, reason, constraint_reason)
    parsed = parse_scenarios(scenarios)
    estimate, constrained_amount = _amount_errors(errors, method, parsed, constrained,
                                                  rc.currency)
    obligations = list(
        PerformanceObligation.objects.select_for_update().filter(revenue_contract=rc)
        .exclude(pattern__in=NOT_ALLOCATED).select_related("revenue_contract").order_by("pk"))
    open_pks = {o.pk for o in obligations if o.status == ObligationStatus.OPEN}
    _allocation_errors(errors, open_pks, allocated_to, allocation_reason)
    if errors:
        raise ValidationError(errors)
    if rc.transaction_price + constrained_amount < 0:
        raise ValidationError({"constrained": "The transaction price cannot fall below 0."})

    changed, shares = _allocate_change(constrained_amount - rc.variable_consideration, rc,
                                       obligations, allocated_to)
    last = rc.variable_estimates.order_by("-version").values_list("version", flat=True).first()
    today = business_date(on)
    estimate_row = VariableConsideration.objects.create(
        revenue_contract=rc, version=(last or 0) + 1, kind=kind, method=method,
        scenarios=[{"amount": str(s.amount), "probability": str(s.probability)}
                   for s in parsed],
        estimate=estimate, constrained=constrained_amount,
        constraint_reason=constraint_reason.strip(), allocated_to=allocated_to,
        allocation_reason=allocation_reason.strip() if allocated_to else "",
        reason=reason.strip(), recorded_by=actor.user, recorded_on=today)
    rc.variable_consideration = constrained_amount
    rc.modified_on = today
    rc.save(update_fields=["variable_consideration", "modified_on"])

    replaced = replacements([o for o in changed if o.pk in open_pks]) | _caught_up(
        [o for o in changed if o.pk not in open_pks], shares, rc.currency)
    insert_schedule_rows(_rescheduled(replaced, first_open=first_open(rc)))
    return estimate_row


def reschedule(rc: RevenueContract, obligations) -> None:
    """New schedules for goods whose allocation changed: months recognized stay, the difference
    is caught up in the first month the revenue contract has not recognized (15.88)."""
    insert_schedule_rows(_rescheduled(replacements(obligations), first_open=first_open(rc)))


def replacements(obligations) -> dict[int, tuple]:
    """The new schedules of open obligations from their allocation (none for units on an
    order: the run earns the new allocation by delivery)."""
    if not obligations:
        return {}
    lines = {line.pk: line for line in ContractLine.objects.filter(
        pk__in=[o.contract_line_id for o in obligations]).select_related("contract")
        .annotate(has_order_line=has_order_line_of_contract_line())}
    replaced = {}
    for obligation in obligations:
        schedule = _schedule_for(obligation, lines[obligation.contract_line_id])
        if schedule:
            replaced[obligation.pk] = schedule
    return replaced
