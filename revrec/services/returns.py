"""Rights of return on a revenue contract (IFRS 15.B20-B27; ASC 606-10-55-22..29).

`estimate_returns` records a (re-)estimate of the products expected back for one point-in-time
obligation (the latest version is in force; re-estimated at each period end, B24): the refund
liability is what the customer paid for the units expected back (the contract line's charges in
force, its price, × expected / sold: 15.55), also when a discount shared by relative SSP gave
the goods another allocation; the obligation gives it up (`revrec.returns`), its schedule is
rebuilt (a month already recognized caught up in the first open one, 15.88) and the revenue
contract's expected refunds follow. `return_drafts` gives the recognition run the entries of the
changes not posted yet: deferred revenue to the refund liability, and the asset for the products
to be recovered against cost of sales, in the first run of a month at or after both the estimate
and the goods' delivery (their first schedule line).

`record_return` records products actually sent back (B25, IE Example 22) and posts at once, in
the return's open month: the refund liability of their price to deferred revenue, which the
credit note for them debits against the receivable (billing credits every invoice line from
deferred revenue), and the asset for their recovery to inventory.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum

from contracts.models import ScheduledCharge
from core.actors import require
from core.dates import business_date, month_start
from core.money import round_money
from ledger import chart
from ledger.drafts import EntryDraft
from ledger.models import AccountingPeriod, PeriodState
from ledger.services import post_entry
from revrec import returns
from revrec.models import (
    EstimateMethod,
    GoodsReturn,
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
RETURN_PERMISSION = "revrec.record_goods_return"


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
    back = _returned(obligation)
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
                                               units_returned=returned, unit_cost=cost,
                                               price=goods_price(obligation))
        except ValueError as error:
            errors["units_sold" if "sell" in str(error) else
                   "unit_cost" if "cost" in str(error) else "scenarios"] = _sentence(error)
        if returned < back:
            errors["scenarios"] = f"{back.normalize():f} units came back already: expect at " \
                                  "least as many (B24)."
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


def goods_price(obligation: PerformanceObligation) -> Decimal | None:
    """What the customer pays for the obligation's goods: its contract line's charges in force
    (the rows billing bills, credits included); None without a line."""
    if obligation.contract_line_id is None:
        return None
    total = ScheduledCharge.objects.filter(line_id=obligation.contract_line_id,
                                           ended_by__isnull=True).aggregate(
        total=Sum("amount"))["total"]
    return None if total is None else round_money(total, obligation.revenue_contract.currency)


def _returned(obligation: PerformanceObligation) -> Decimal:
    """Units of the obligation customers sent back so far."""
    return obligation.goods_returns.aggregate(total=Sum("quantity"))["total"] or ZERO


def _open_month(day: date) -> None:
    """A return posts on its own date: refused in a month the books are closed (or closing)
    for, rather than moved to the next open one."""
    if AccountingPeriod.objects.filter(start_on__gte=month_start(day)).exclude(
            state=PeriodState.OPEN).exists():
        raise ValidationError({"on": f"The books are closed for {day:%B %Y}: record the "
                                     "return on a day of an open month."})


@transaction.atomic
def record_return(*, obligation: PerformanceObligation, quantity, by,
                  on: date | None = None) -> GoodsReturn:
    """Record `quantity` units of the obligation sent back on `on` and post the settlement
    (see the module docstring); `credit_return` then names billing's credit note for them."""
    actor = require(by, RETURN_PERMISSION, "You are not allowed to record returned goods.")
    rc = RevenueContract.objects.select_for_update().get(obligations=obligation)
    obligation = PerformanceObligation.objects.select_for_update().get(pk=obligation.pk)
    today = business_date(on)
    _open_month(today)
    errors: dict[str, str] = {}
    units = _number(errors, "quantity", quantity, "the units returned")
    estimate = obligation.return_estimates.order_by("-version").first()
    if estimate is None or estimate.posted_in_id is None:
        raise ValidationError({"obligation": "No refund liability is on the books for these "
                                             "goods: estimate the returns and recognize the "
                                             "month of their delivery first (B21)."})
    if errors:
        raise ValidationError(errors)
    functional = settings.FUNCTIONAL_CURRENCY
    posted = estimate_totals(obligation, functional)
    share = {"expected": estimate.units_returned, "returned_before": _returned(obligation),
             "quantity": units}
    try:
        refund = returns.settled_part(estimate.refund, rc.currency, **share)
    except ValueError as error:
        raise ValidationError({"quantity": _sentence(error)}) from None
    refund_f = returns.settled_part(posted[0], functional, **share)
    cost_f = returns.settled_part(posted[1], functional, **share)
    label = f"{rc.number}: {units.normalize():f} units back on {today:%Y-%m-%d}"
    entry = post_entry(EntryDraft(document_date=today, memo=f"Goods returned {label}", lines=[
        line for line in (
            side(chart.REFUND_LIABILITY, refund_f, customer_account_id=rc.account_id,
                 description=f"Refund settled {label}"),
            side(chart.DEFERRED_REVENUE, -refund_f, customer_account_id=rc.account_id,
                 description=f"Refund settled {label}"),
            side(chart.INVENTORY, cost_f, description=f"Recovered {label}"),
            side(chart.RETURN_ASSET, -cost_f, description=f"Recovered {label}"))
        if line.debit or line.credit], source=rc, source_label=rc.number), by=actor, on=today)
    return GoodsReturn.objects.create(
        obligation=obligation, estimate=estimate, quantity=units, returned_on=today,
        refund=refund, cost=returns.settled_part(estimate.asset, rc.currency, **share),
        refund_functional=refund_f, cost_functional=cost_f, recorded_by=actor.user,
        entry=entry)


@transaction.atomic
def credit_return(*, goods_return: GoodsReturn, credit_note, by) -> GoodsReturn:
    """Name the credit note that refunds the goods returned (billing's, issued for their
    `refund` on the invoice line of their contract line), once."""
    require(by, RETURN_PERMISSION, "You are not allowed to record returned goods.")
    goods_return = GoodsReturn.objects.select_for_update().select_related(
        "obligation__revenue_contract").get(pk=goods_return.pk)
    if goods_return.credit_note_id is not None:
        raise ValidationError({"credit_note": "These goods are credited already."})
    if credit_note.invoice.account_id != goods_return.obligation.revenue_contract.account_id:
        raise ValidationError({"credit_note": "Credit the customer who returned the goods."})
    goods_return.credit_note = credit_note
    goods_return.save(update_fields=["credit_note"])
    return goods_return


def estimate_totals(obligation: PerformanceObligation, functional: str
                    ) -> tuple[Decimal, Decimal]:
    """The refund liability and return asset the runs posted for the obligation (functional;
    rounded: SQLite sums decimals in floating point)."""
    sums = obligation.return_estimates.filter(posted_in__isnull=False).aggregate(
        refund=Sum("refund_functional"), asset=Sum("asset_functional"))
    return (round_money(sums["refund"] or ZERO, functional),
            round_money(sums["asset"] or ZERO, functional))
