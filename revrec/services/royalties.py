"""Usage- and sales-based royalties with a guaranteed minimum (IFRS 15.B63-B63B).

`set_guaranteed_minimum` puts the contract's fixed floor on a usage obligation (before any of
its usage is recognized): the floor joins the transaction price, is allocated to the obligation
and scheduled ratably over its service. `minimum_lines` gives the recognition run each month's
line of such an obligation: its share of the minimum plus what the usage billed to date earned
beyond the floor since the months before (`revrec.royalties`); plain usage obligations stay as
billed (`recognition._usage_lines`).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import CreditNoteLine, CreditNoteState, InvoiceLine
from catalog import revenue_schedule as schedules
from core.actors import require
from core.dates import business_date
from core.money import round_money
from ledger.period_rules import month_end
from revrec import royalties
from revrec.models import (
    GuaranteedMinimum,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RevenueContract,
    ScheduleLine,
)
from revrec.selectors import BILLED_STATES
from revrec.services.schedule_rows import insert_schedule_rows
from revrec.services.variable import ESTIMATE_PERMISSION

ZERO = Decimal(0)


@transaction.atomic
def set_guaranteed_minimum(*, obligation: PerformanceObligation, amount, reason: str, by,
                           on: date | None = None) -> GuaranteedMinimum:
    """Record the guaranteed minimum of a usage obligation and schedule it; see the module
    docstring."""
    actor = require(by, ESTIMATE_PERMISSION,
                    "You are not allowed to account for guaranteed minimums.")
    rc = RevenueContract.objects.select_for_update().get(obligations=obligation)
    obligation = PerformanceObligation.objects.select_for_update().get(pk=obligation.pk)
    errors: dict[str, str] = {}
    if obligation.pattern != Pattern.AS_BILLED or obligation.status != ObligationStatus.OPEN:
        errors["obligation"] = "A guaranteed minimum is set on an open usage obligation."
    elif obligation.schedule.exists():
        errors["obligation"] = "Its usage is recognized already; set the minimum at inception."
    try:
        amount = round_money(Decimal(str(amount)), rc.currency)
    except InvalidOperation:
        errors["amount"] = "Give the minimum as a number."
    else:
        if amount <= 0:
            errors["amount"] = "The guaranteed minimum is more than 0."
    if not reason.strip():
        errors["reason"] = "Say where the contract guarantees it."
    if errors:
        raise ValidationError(errors)
    minimum = GuaranteedMinimum.objects.create(obligation=obligation, amount=amount,
                                               reason=reason.strip(), recorded_by=actor.user,
                                               recorded_on=business_date(on))
    obligation.allocated = amount
    obligation.save(update_fields=["allocated"])
    insert_schedule_rows([
        (obligation.pk, s.month, s.start, s.end, s.amount)
        for s in _minimum_schedule(obligation, rc, amount)])
    rc.transaction_price += amount
    rc.modified_on = business_date(on)
    rc.save(update_fields=["transaction_price", "modified_on"])
    return minimum


def _minimum_schedule(obligation, rc, amount: Decimal):
    return schedules.ratable_schedule(amount, rc.currency, obligation.service_start,
                                      obligation.service_end, rc.basis)


def _usage_to_date(contract_line_ids, end: date) -> dict[int, Decimal]:
    """Usage billed up to `end` less credited, per contract line (two queries)."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, amount in InvoiceLine.objects.filter(
            contract_line_id__in=contract_line_ids, invoice__state__in=BILLED_STATES,
            invoice__issue_on__lte=end).order_by().values_list("contract_line_id", "amount"):
        totals[line_id] += amount
    for line_id, amount in CreditNoteLine.objects.filter(
            invoice_line__contract_line_id__in=contract_line_ids,
            credit_note__state=CreditNoteState.ISSUED, credit_note__issue_on__lte=end
    ).order_by().values_list("invoice_line__contract_line_id", "amount"):
        totals[line_id] -= amount
    return totals


def minimum_lines(revenue_contract_ids, month: date) -> None:
    """Set (or add) the month's line of each usage obligation with a guaranteed minimum of
    these revenue contracts: one query when there is none."""
    minimums = list(GuaranteedMinimum.objects.filter(
        obligation__revenue_contract_id__in=revenue_contract_ids)
        .select_related("obligation__revenue_contract"))
    if not minimums:
        return
    usage = _usage_to_date([m.obligation.contract_line_id for m in minimums], month_end(month))
    lines: dict[int, list[ScheduleLine]] = defaultdict(list)
    for line in ScheduleLine.objects.filter(obligation__in=[m.obligation_id for m in minimums]):
        lines[line.obligation_id].append(line)
    new, changed = [], []
    for minimum in minimums:
        obligation, rc = minimum.obligation, minimum.obligation.revenue_contract
        shares = {s.month: s.amount for s in _minimum_schedule(obligation, rc, minimum.amount)}
        before = sum((x.amount for x in lines[obligation.pk] if x.month < month), ZERO)
        excess_before = before - sum((a for m, a in shares.items() if m < month), ZERO)
        amount = royalties.month_revenue(
            shares.get(month, ZERO), round_money(usage[obligation.contract_line_id], rc.currency),
            minimum.amount, excess_before=excess_before)
        current = next((x for x in lines[obligation.pk] if x.month == month), None)
        if current is None and amount:
            new.append(ScheduleLine(obligation=obligation, month=month, start_on=month,
                                    end_on=month, amount=amount))
        elif current is not None and current.run_id is None and current.amount != amount:
            current.amount = amount
            changed.append(current)
    ScheduleLine.objects.bulk_update(changed, ["amount"])
    ScheduleLine.objects.bulk_create(new)
