"""Significant financing components (IFRS 15.60-65; ASC 606-10-32-15..20).

`assess_financing` records the accountant's judgement for one point-in-time obligation: within
a year between payment and transfer, the practical expedient (15.63) is put on record and
nothing changes (`assess_instalment_financing`: for a plan of instalments, read from billing's
due schedule, when every one is; a plan across the transfer is split at it, interest expense
before, income after, each part under the expedient on its own); beyond, at the rate of a
separate financing transaction (15.64), the obligation's price becomes the revenue with the
financing taken out (`revrec.financing`), its schedule is rebuilt, and the interest is stored
month by month.
`interest_drafts` gives the recognition run the entries of the months due and not posted:
interest expense against the contract liability (paid in advance), or the receivable against
interest income (in arrears).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import InvoiceLine
from core.actors import require
from core.dates import business_date
from core.money import allocate, round_money
from ledger import chart
from ledger.drafts import EntryDraft
from revrec import financing
from revrec.models import (
    FinancingComponent,
    FinancingKind,
    InterestLine,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionRun,
    RevenueContract,
)
from revrec.postings import side
from revrec.selectors import BILLED_STATES
from revrec.services.variable import reschedule

ZERO = Decimal(0)
PERMISSION = "revrec.assess_financing"


def _sentence(error: ValueError) -> str:
    return f"{str(error)[0].upper()}{str(error)[1:]}."


@transaction.atomic
def assess_financing(*, obligation: PerformanceObligation, paid_on: date, reason: str, by,
                     transferred_on: date | None = None, rate=None,
                     on: date | None = None) -> FinancingComponent:
    """Record whether the obligation's payment terms hold a significant financing component,
    and apply it; see the module docstring (IE Examples 26, 28, 29)."""
    actor = require(by, PERMISSION, "You are not allowed to assess financing components.")
    rc = RevenueContract.objects.select_for_update().get(obligations=obligation)
    obligation = PerformanceObligation.objects.select_for_update().get(pk=obligation.pk)
    transferred_on = transferred_on or obligation.service_start
    errors = _judgement_errors(obligation, reason)
    if paid_on is None:
        errors["paid_on"] = "Give the day the customer pays."
    if errors:
        raise ValidationError(errors)
    if financing.within_a_year(paid_on, transferred_on):
        return _record(rc, obligation, FinancingKind.EXPEDIENT, [], obligation.allocated,
                       paid_on=paid_on, transferred_on=transferred_on, rates=(None, None),
                       reason=reason, actor=actor, on=on)
    kind, result = _component(obligation, rc.currency, paid_on, transferred_on, rate)
    return _record(rc, obligation, kind, [(kind, result)], result.revenue, paid_on=paid_on,
                   transferred_on=transferred_on, rates=(_rate(rate), None), reason=reason,
                   actor=actor, on=on)


@transaction.atomic
def assess_instalment_financing(*, obligation: PerformanceObligation, reason: str, by,
                                transferred_on: date | None = None, rate=None, rate_after=None,
                                payments=None, on: date | None = None) -> FinancingComponent:
    """The same judgement for goods paid by instalments (IE Example 28): the plan is
    `payments`, (day, amount) pairs adding up to the obligation's price, or else billing's due
    schedule of the invoices for the obligation's line, spread over its price. A plan
    across the transfer is split at it (`financing.split_plan`): interest expense on the
    advances up to the transfer, at `rate`, then income on the rest, at `rate_after` (the
    customer's, 15.64; `rate` when not given); each part keeps the expedient on its own."""
    actor = require(by, PERMISSION, "You are not allowed to assess financing components.")
    rc = RevenueContract.objects.select_for_update().get(obligations=obligation)
    obligation = PerformanceObligation.objects.select_for_update().get(pk=obligation.pk)
    transferred_on = transferred_on or obligation.service_start
    errors = _judgement_errors(obligation, reason)
    plan, errors = ([], errors) if errors else _plan_of(obligation, rc.currency, payments)
    if errors:
        raise ValidationError(errors)
    if all(financing.within_a_year(day, transferred_on) for day, _ in plan):
        return _record(rc, obligation, FinancingKind.EXPEDIENT, [], obligation.allocated,
                       paid_on=plan[-1][0], transferred_on=transferred_on, rates=(None, None),
                       reason=reason, actor=actor, on=on, plan=plan)
    rates = (_rate(rate), _rate(rate_after, "rate_after") if rate_after not in (None, "")
             else None)
    try:
        split = financing.split_plan(plan, rates[0], transferred_on, rc.currency,
                                     rate_after=rates[1])
    except ValueError as error:
        raise ValidationError({"rate_after" if "rate" in str(error) and rates[1] else
                               "rate" if "rate" in str(error) else "transferred_on":
                               _sentence(error)}) from None
    parts = [(kind, part) for kind, part in ((FinancingKind.ADVANCE, split.before),
                                             (FinancingKind.ARREARS, split.after)) if part]
    kind = parts[0][0] if len(parts) == 1 else FinancingKind.MIXED
    if split.after is None:
        rates = (rates[0], None)  # no instalment after the transfer carries the later rate
    return _record(rc, obligation, kind, parts, split.revenue, paid_on=plan[-1][0],
                   transferred_on=transferred_on, rates=rates, reason=reason, actor=actor,
                   on=on, plan=plan)


def _plan_of(obligation: PerformanceObligation, currency: str, payments
             ) -> tuple[list[tuple[date, Decimal]], dict[str, str]]:
    """The plan given, which must add up to the price, or billing's; else why there is none."""
    if payments:
        total = sum((amount for _, amount in payments), ZERO)
        if total != obligation.allocated:
            return [], {"payments": f"The payments add up to {total}; the goods' price is "
                                    f"{round_money(obligation.allocated, currency)}."}
        return sorted(payments), {}
    plan = instalment_plan(obligation, currency)
    return plan, {} if plan else {
        "obligation": "No issued invoice bills these goods yet: the instalments are read from "
                      "its due schedule (or give them)."}


def instalment_plan(obligation: PerformanceObligation, currency: str
                    ) -> list[tuple[date, Decimal]]:
    """(due day, amount) of the obligation's price, by the due schedule of the issued invoices
    billing its line (an invoice without one is due whole on its due day): each instalment's
    share of the line, then of the price, by largest remainder."""
    due: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for line in (InvoiceLine.objects.filter(contract_line_id=obligation.contract_line_id,
                                            invoice__state__in=BILLED_STATES)
                 .select_related("invoice").prefetch_related("invoice__instalments")):
        parts = list(line.invoice.instalments.all())
        if not parts:
            due[line.invoice.due_on] += line.amount
            continue
        for part, share in zip(parts, allocate(line.amount, [p.amount for p in parts], currency),
                               strict=True):
            due[part.due_on] += share
    days = sorted(day for day, amount in due.items() if amount)
    if not days:
        return []
    return list(zip(days, allocate(obligation.allocated, [due[day] for day in days], currency),
                    strict=True))


def _judgement_errors(obligation: PerformanceObligation, reason: str) -> dict[str, str]:
    errors = {}
    if obligation.pattern != Pattern.POINT_IN_TIME or obligation.status != ObligationStatus.OPEN:
        errors["obligation"] = "Financing is assessed for open goods transferred at a point " \
                               "in time."
    elif FinancingComponent.objects.filter(obligation=obligation).exists():
        errors["obligation"] = "Its financing is assessed already (at contract inception, " \
                               "15.64: the rate is not updated afterwards)."
    if not reason.strip():
        errors["reason"] = "Say what the payment terms and the rate rest on (15.61, 15.64)."
    return errors


def _rate(rate, field: str = "rate") -> Decimal:
    """The rate of a separate financing transaction (15.64), which a component needs."""
    try:
        rate = Decimal(str(rate)) if rate not in (None, "") else None
    except InvalidOperation:
        rate = None
    if rate is None:
        raise ValidationError({field: "More than a year between payment and transfer: give "
                                      "the rate of a separate financing transaction (15.64)."})
    return rate


def _record(rc, obligation, kind, parts, revenue, *, paid_on, transferred_on, rates, reason,
            actor, on, plan=()) -> FinancingComponent:
    """Store the judgement; with a component (`parts`: (kind, `financing.Financing`) of the
    advances and of the amounts due), the obligation's price becomes `revenue`, the schedule
    follows and the interest is stored by month and kind."""
    component = FinancingComponent.objects.create(
        obligation=obligation, kind=kind, amount=obligation.allocated, paid_on=paid_on,
        transferred_on=transferred_on, rate=rates[0] if parts else None,
        rate_after=rates[1] if parts else None, revenue=revenue,
        interest=sum((part.interest for _, part in parts), ZERO), reason=reason.strip(),
        instalments=[{"due_on": day.isoformat(), "amount": str(amount)} for day, amount in plan],
        recorded_by=actor.user, recorded_on=business_date(on))
    if not parts:
        return component
    InterestLine.objects.bulk_create([
        InterestLine(component=component, kind=part_kind, month=month, amount=amount)
        for part_kind, part in parts for month, amount in part.months if amount])
    obligation.allocated = revenue
    obligation.save(update_fields=["allocated"])
    reschedule(rc, [obligation])
    rc.financing += sum((part.interest if part_kind == FinancingKind.ADVANCE else -part.interest
                         for part_kind, part in parts), ZERO)
    rc.modified_on = business_date(on)
    rc.save(update_fields=["financing", "modified_on"])
    return component


def _component(obligation, currency: str, paid_on: date, transferred_on: date, rate):
    rate = _rate(rate)
    try:
        if paid_on < transferred_on:
            return FinancingKind.ADVANCE, financing.advance(
                obligation.allocated, rate, paid_on, transferred_on, currency)
        return FinancingKind.ARREARS, financing.arrears(
            obligation.allocated, rate, transferred_on, paid_on, currency)
    except ValueError as error:
        raise ValidationError({"rate" if "rate" in str(error) else "paid_on":
                               _sentence(error)}) from None


def _converted(lines: list[InterestLine], rate: Decimal, functional: str) -> Decimal:
    """The lines' interest at the run's rate, rounded once; each line keeps its share (largest
    remainder), so the unbilled receivable's sub-ledger adds up to what was posted."""
    if not lines:
        return ZERO
    total = round_money(sum((x.amount for x in lines), ZERO) * rate, functional)
    for line, part in zip(lines, allocate(total, [x.amount for x in lines], functional),
                          strict=True):
        line.amount_functional = part
    return total


@dataclass
class InterestPosting:
    draft: EntryDraft
    lines: list[InterestLine]
    financing: Decimal  # functional: + expense (liability grows), - income (asset grows)


def interest_drafts(revenue_contracts, run: RecognitionRun, *, rate_of: dict, functional: str,
                    month_end: date, source_of, label_of) -> list[InterestPosting]:
    """The entries of the interest due by the run's month and not posted, per revenue contract
    (`Contract` tuples); one query when there is none."""
    by_rc = {rc.pk: rc for rc in revenue_contracts}
    due = list(InterestLine.objects.filter(
        component__obligation__revenue_contract_id__in=list(by_rc), run__isnull=True,
        month__lte=run.month).select_related("component__obligation").order_by("pk"))
    # each line's own kind: a plan across the transfer has expense and income lines
    per_rc: dict[int, list[InterestLine]] = defaultdict(list)
    for line in due:
        per_rc[line.component.obligation.revenue_contract_id].append(line)
    postings = []
    for rc_pk, lines in per_rc.items():
        rc, label = by_rc[rc_pk], label_of(by_rc[rc_pk])
        expense = _converted([x for x in lines if x.kind == FinancingKind.ADVANCE],
                             rate_of[rc.currency], functional)
        income = _converted([x for x in lines if x.kind == FinancingKind.ARREARS],
                            rate_of[rc.currency], functional)
        entry_lines = []
        if expense:
            entry_lines += [side(chart.INTEREST_EXPENSE, expense,
                                 description=f"Financing component {label}"),
                            side(chart.DEFERRED_REVENUE, -expense,
                                 customer_account_id=rc.account_id,
                                 description=f"Interest on the advance {label}")]
        if income:
            entry_lines += [side(chart.UNBILLED_RECEIVABLE, income,
                                 customer_account_id=rc.account_id,
                                 description=f"Interest on the amount due {label}"),
                            side(chart.INTEREST_INCOME, -income,
                                 description=f"Financing component {label}")]
        draft = EntryDraft(document_date=month_end, memo=f"Financing component {label}",
                           lines=entry_lines, source=source_of(rc), source_label=label) \
            if entry_lines else None
        postings.append(InterestPosting(draft, lines, expense - income))
    return postings
