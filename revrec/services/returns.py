"""Rights of return on a revenue contract (IFRS 15.B20-B27; ASC 606-10-55-22..29).

`estimate_returns` records a (re-)estimate of the products expected back for one point-in-time
obligation (the latest version is in force; re-estimated at each period end, B24): the
obligation is allocated only the price of the units kept (`revrec.returns`), its schedule is
rebuilt (a month already recognized caught up in the first open one, 15.88) and the revenue
contract's expected refunds follow. `return_drafts` gives the recognition run the entries of the
changes not posted yet: deferred revenue to the refund liability, and the asset for the products
to be recovered against cost of sales, in the first run of a month at or after both the estimate
and the goods' delivery (their first schedule line).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum

from core.actors import require
from core.dates import business_date
from core.money import round_money
from ledger import chart
from ledger.drafts import EntryDraft
from revrec import returns
from revrec.models import (
    EstimateMethod,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionRun,
    ReturnEstimate,
    RevenueContract,
    ScheduleLine,
)
from revrec.postings import side
from revrec.services.variable import ESTIMATE_PERMISSION, parse_scenarios, reschedule

ZERO = Decimal(0)


def _number(errors: dict, field: str, value, label: str) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = f"Give {label} as a number."
        return None


def _sentence(error: ValueError) -> str:
    return f"{str(error)[0].upper()}{str(error)[1:]}."


@transaction.atomic
def estimate_returns(*, obligation: PerformanceObligation, method: str, scenarios,
                     units_sold, unit_cost, reason: str, by,
                     on: date | None = None) -> ReturnEstimate:
    """Record a (re-)estimate of the products expected back and put it in force; see the
    module docstring (IFRS 15 IE Example 22)."""
    actor = require(by, ESTIMATE_PERMISSION, "You are not allowed to estimate returns.")
    rc = RevenueContract.objects.select_for_update().get(obligations=obligation)
    obligation = PerformanceObligation.objects.select_for_update().get(pk=obligation.pk)
    errors: dict[str, str] = {}
    if obligation.pattern != Pattern.POINT_IN_TIME or obligation.status != ObligationStatus.OPEN:
        errors["obligation"] = "Returns are estimated for open obligations of goods " \
                               "transferred at a point in time."
    if method not in EstimateMethod.values:
        errors["method"] = f"Unknown method {method!r}."
    if not reason.strip():
        errors["reason"] = "Say what the estimate rests on (B23: the returns of similar sales)."
    sold = _number(errors, "units_sold", units_sold, "the units sold")
    cost = _number(errors, "unit_cost", unit_cost, "the unit cost")
    parsed = parse_scenarios(scenarios)
    latest = obligation.return_estimates.order_by("-version").first()
    gross = obligation.allocated + (latest.refund if latest else ZERO)
    position = returned = None
    if not errors:
        try:
            returned = returns.expected_returns(method, parsed)
        except ValueError as error:
            errors["scenarios"] = _sentence(error)
    if returned is not None:
        try:
            position = returns.return_position(gross, rc.currency, units_sold=sold,
                                               units_returned=returned, unit_cost=cost)
        except ValueError as error:
            errors["units_sold" if "sell" in str(error) else
                   "unit_cost" if "cost" in str(error) else "scenarios"] = _sentence(error)
    if errors:
        raise ValidationError(errors)

    obligation.allocated = position.revenue
    obligation.save(update_fields=["allocated"])
    reschedule(rc, [obligation])
    estimate = ReturnEstimate.objects.create(
        obligation=obligation, version=(latest.version if latest else 0) + 1, method=method,
        scenarios=[{"amount": str(s.amount), "probability": str(s.probability)}
                   for s in parsed],
        units_sold=sold, units_returned=returned, unit_cost=cost, gross=gross,
        refund=position.refund, asset=position.asset, reason=reason.strip(),
        recorded_by=actor.user, recorded_on=business_date(on))
    rc.expected_refunds += position.refund - (latest.refund if latest else ZERO)
    rc.modified_on = business_date(on)
    rc.save(update_fields=["expected_refunds", "modified_on"])
    return estimate


@dataclass
class ReturnPosting:
    """One revenue contract's return changes for a run: the draft, and the estimates it
    settles (the latest posts the change; earlier unposted ones are superseded)."""

    draft: EntryDraft
    estimates: list[ReturnEstimate]
    refund: Decimal  # functional
    asset: Decimal


def return_drafts(revenue_contracts, run: RecognitionRun, *, rate_of: dict, functional: str,
                  month_end: date, source_of, label_of) -> list[ReturnPosting]:
    """The entries of the estimates not yet posted for these revenue contracts (`Contract`
    tuples), due in the run's month: recorded by its end, for goods delivered by then (a
    schedule line up to the month: the liability arises with the transfer, B21); one query
    when there are none."""
    by_rc = {rc.pk: rc for rc in revenue_contracts}
    delivered = ScheduleLine.objects.filter(obligation=OuterRef("obligation"),
                                            month__lte=run.month)
    due = list(ReturnEstimate.objects.filter(
        Exists(delivered), obligation__revenue_contract_id__in=list(by_rc),
        posted_in__isnull=True, recorded_on__lte=month_end)
        .select_related("obligation").order_by("obligation_id", "version"))
    if not due:
        return []
    # rounded: SQLite sums decimals in floating point
    posted = {pk: (round_money(refund, functional), round_money(asset, functional))
              for pk, refund, asset in ReturnEstimate.objects.filter(
        obligation_id__in={e.obligation_id for e in due}, posted_in__isnull=False)
        .values_list("obligation_id").annotate(refund=Sum("refund_functional"),
                                               asset=Sum("asset_functional")).order_by()}
    per_obligation: dict[int, list[ReturnEstimate]] = defaultdict(list)
    for estimate in due:
        per_obligation[estimate.obligation_id].append(estimate)
    per_rc: dict[int, list[tuple[ReturnEstimate, list, Decimal, Decimal]]] = defaultdict(list)
    for obligation_id, estimates in per_obligation.items():
        latest = estimates[-1]
        rc = by_rc[latest.obligation.revenue_contract_id]
        rate = rate_of[rc.currency]
        refund_before, asset_before = posted.get(obligation_id, (ZERO, ZERO))
        refund = round_money(latest.refund * rate, functional) - refund_before
        asset = round_money(latest.asset * rate, functional) - asset_before
        per_rc[rc.pk].append((latest, estimates, refund, asset))
    postings = []
    for rc_pk, changes in per_rc.items():
        rc = by_rc[rc_pk]
        refund = sum((c[2] for c in changes), ZERO)
        asset = sum((c[3] for c in changes), ZERO)
        label = label_of(rc)
        lines = [line for line in (
            side(chart.DEFERRED_REVENUE, refund, customer_account_id=rc.account_id,
                 description=f"Refunds expected {label}") if refund else None,
            side(chart.REFUND_LIABILITY, -refund, customer_account_id=rc.account_id,
                 description=f"Refunds expected {label}") if refund else None,
            side(chart.RETURN_ASSET, asset, description=f"Products expected back {label}")
            if asset else None,
            side(chart.COST_OF_SALES, -asset, description=f"Products expected back {label}")
            if asset else None) if line is not None]
        for latest, _settled, refund_part, asset_part in changes:
            latest.refund_functional, latest.asset_functional = refund_part, asset_part
        draft = EntryDraft(document_date=month_end, memo=f"Right of return {label}",
                           lines=lines, source=source_of(rc), source_label=label) \
            if lines else None
        postings.append(ReturnPosting(draft, [e for c in changes for e in c[1]], refund, asset))
    return postings
