"""Variable consideration on a revenue contract (IFRS 15.50-59, 15.84-90; ASC 606-10-32-5..14).

`estimate_variable_consideration` records a new version of the estimate (the latest is in
force), moves the transaction price to fixed + the constrained amount, allocates that amount to
the open obligations by relative SSP (`revrec.allocation`), or wholly to one obligation when
IFRS 15.85 allows, and rebuilds their schedules from the new allocation.

A change of estimate is a cumulative catch-up (15.88): months recognized stay; the difference
between what the new schedule earns up to them and what they recognized goes to the first
month the revenue contract has not recognized yet (`contracts._rescheduled`), so the next run
posts it and later months follow the new schedule. Obligations delivered by units on an order
need no new lines: the run earns their new allocation × units delivered less what is
scheduled (`schedule_rows.delivery_lines`). Usage (as billed) and material rights (which keep
the share carved out for them) take no part; obligations ended by a modification keep the
variable consideration they earned, their successors carry the rest (15.90).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from contracts.models import ContractLine
from core.actors import as_actor
from core.dates import add_months, business_date
from core.money import round_money
from orders.selectors import has_order_line_of_contract_line
from revrec import variable
from revrec.allocation import Obligation, allocate_transaction_price
from revrec.models import (
    EstimateMethod,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionItem,
    RevenueContract,
    VariableConsideration,
    VariableKind,
)
from revrec.services.contracts import _rescheduled, _schedule_for
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


def _shares(amount: Decimal, currency: str, obligations, allocated_to) -> dict[int, Decimal]:
    """`amount` over the obligations by relative SSP, or all of it to `allocated_to`."""
    if allocated_to is not None:
        return {o.pk: amount if o.pk == allocated_to.pk else ZERO for o in obligations}
    sign = -1 if amount < 0 else 1
    parts = allocate_transaction_price(abs(amount), currency,
                                       [Obligation(str(o.pk), o.ssp) for o in obligations])
    return {int(part.key): sign * part.amount for part in parts}


def first_open(revenue_contract: RevenueContract) -> date | None:
    """The first month the revenue contract has not recognized (None before its first run)."""
    last = (RecognitionItem.objects.filter(revenue_contract=revenue_contract)
            .order_by("-month").values_list("month", flat=True).first())
    return add_months(last, 1) if last else None


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
    parsed = parse_scenarios(scenarios)
    estimate = constrained_amount = None
    if "method" not in errors:
        try:
            estimate = variable.estimate(method, parsed, rc.currency)
        except ValueError as error:
            errors["scenarios"] = f"{str(error)[0].upper()}{str(error)[1:]}."
    try:
        constrained_amount = round_money(Decimal(str(constrained)), rc.currency)
    except InvalidOperation:
        errors["constrained"] = "Give the amount included as a number."
    if estimate is not None and constrained_amount is not None:
        try:
            variable.check_constrained(constrained_amount, estimate)
        except ValueError as error:
            errors["constrained"] = f"{str(error)[0].upper()}{str(error)[1:]}."
    obligations = list(
        PerformanceObligation.objects.select_for_update()
        .filter(revenue_contract=rc, status=ObligationStatus.OPEN)
        .exclude(pattern__in=NOT_ALLOCATED).select_related("revenue_contract").order_by("pk"))
    if not obligations:
        errors["allocated_to"] = "The revenue contract has no open obligation to allocate to."
    if allocated_to is not None:
        if allocated_to.pk not in {o.pk for o in obligations}:
            errors["allocated_to"] = "Allocate to one of this contract's open obligations."
        elif not allocation_reason.strip():
            errors["allocation_reason"] = ("Say why it relates to this obligation alone "
                                           "(IFRS 15.85).")
    if errors:
        raise ValidationError(errors)
    if rc.transaction_price + constrained_amount < 0:
        raise ValidationError({"constrained": "The transaction price cannot fall below 0."})

    # ended obligations keep the variable consideration they earned (a modification moved the
    # rest to their successors, IFRS 15.90): the open ones share the remainder
    earned = sum(PerformanceObligation.objects.filter(
        revenue_contract=rc, status=ObligationStatus.ENDED).values_list("variable", flat=True),
        ZERO)
    shares = _shares(constrained_amount - earned, rc.currency, obligations, allocated_to)
    for obligation in obligations:
        obligation.allocated += shares[obligation.pk] - obligation.variable
        obligation.variable = shares[obligation.pk]
        if obligation.allocated < 0:
            raise ValidationError({"constrained": f"{obligation.product_id} would be "
                                                  "allocated less than 0."})
    PerformanceObligation.objects.bulk_update(obligations, ["allocated", "variable"])
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

    reschedule(rc, obligations)
    return estimate_row


def reschedule(rc: RevenueContract, obligations) -> None:
    """New schedules for goods whose allocation changed: months recognized stay, the difference
    is caught up in the first month the revenue contract has not recognized (15.88)."""
    lines = {line.pk: line for line in ContractLine.objects.filter(
        pk__in=[o.contract_line_id for o in obligations]).select_related("contract")
        .annotate(has_order_line=has_order_line_of_contract_line())}
    replaced = {}
    for obligation in obligations:
        schedule = _schedule_for(obligation, lines[obligation.contract_line_id])
        if schedule:  # () for units on an order: the run earns the new allocation by delivery
            replaced[obligation.pk] = schedule
    insert_schedule_rows(_rescheduled(replaced, first_open=first_open(rc)))
