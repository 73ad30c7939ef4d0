"""The questions revrec asks: which contracts need a revenue contract, the facts of their lines,
what was billed per revenue contract, and the pages' querysets. No writes."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.shortcuts import get_object_or_404

from billing.models import CreditNoteLine, CreditNoteState, InvoiceLine, InvoiceState
from catalog.models import StandaloneSellingPrice
from catalog.obligations import LineFacts, estimated_ssp, ssp_over_term
from contracts.models import ContractLine, ContractState, LineStatus, ScheduledCharge
from core.money import round_money
from ledger.models import AccountingPeriod, PeriodState
from orders.models import Fulfilment, OrderLine, OrderState
from orders.selectors import has_order_line_of_contract_line
from revrec.models import (
    FinancingKind,
    InterestLine,
    MaterialRight,
    Modification,
    ModificationMember,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionItem,
    RecognitionRun,
    RecognizedRevenue,
    ReturnEstimate,
    RevenueContract,
    RightEvent,
    StandalonePrice,
)

ZERO = Decimal(0)
LIVE_STATES = (ContractState.ACTIVE, ContractState.EXPIRED, ContractState.RENEWED,
               ContractState.TERMINATED)
BILLED_STATES = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID,
                 InvoiceState.UNCOLLECTIBLE)


# Contracts that need work ------------------------------------------------------------------

def contract_ids_needing_revenue_contracts(contract_ids=None) -> list[int]:
    """Live contracts with a line no obligation covers yet, or an obligation whose line ended
    before the obligation's service did (an amendment or a termination), in pk order."""
    lines = ContractLine.objects.filter(contract__state__in=LIVE_STATES)
    if contract_ids is not None:
        lines = lines.filter(contract_id__in=list(contract_ids))
    covered = PerformanceObligation.objects.filter(contract_line=OuterRef("pk"))
    ended = PerformanceObligation.objects.filter(
        contract_line=OuterRef("pk"), status=ObligationStatus.OPEN,
        service_end__gt=F("contract_line__end_on") + timedelta(days=1))
    return sorted(set(lines.filter(~Exists(covered) | Exists(ended))
                      .values_list("contract_id", flat=True)))


def scheduled_totals(contract_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """Per contract line of these contracts, from its charge schedule in one aggregate query:
    (signed, in force). Signed is the line's schedule as the change that started it made it
    (rows that stand for no other row); in force is `contracts.services.schedules.
    charges_in_force`, the rows no change ended, charges and credits. Their difference is what
    the changes since took away (ended rows less the shorter rows and credits added for them)."""
    rows = (ScheduledCharge.objects.filter(line__contract_id__in=list(contract_ids))
            .order_by().values("line_id", "currency")
            .annotate(signed=Sum("amount", filter=Q(about__isnull=True)),
                      in_force=Sum("amount", filter=Q(ended_by__isnull=True)))
            .values_list("line_id", "currency", "signed", "in_force"))
    # rounded: SQLite adds decimals in floating point (5703.31000000000 or ...0999)
    return {line_id: (round_money(signed or ZERO, currency),
                      round_money(in_force or ZERO, currency))
            for line_id, currency, signed, in_force in rows}


def lines_with_ssp(contract_ids) -> dict[int, list[ContractLine]]:
    """Each contract's lines (position order, product loaded) with `ssp_entry` (the SSP
    table's `StandalonePrice`, or None), `ssp_row` (the catalog's (amount, basis), None without
    an SSP in the contract's currency; used when the table has no entry), `bundle_line_id`,
    `has_order_line`, and `signed` and `in_force` (`scheduled_totals`)."""
    contract_ids = list(contract_ids)
    lines = (ContractLine.objects.filter(contract_id__in=contract_ids)
             .select_related("product", "contract", "quote_line")
             .annotate(has_order_line=has_order_line_of_contract_line())
             .order_by("contract_id", "position", "pk"))
    lines = list(lines)
    products = {line.product_id for line in lines}
    ssps = {(product_id, currency): (amount, basis) for product_id, currency, amount, basis in
            StandaloneSellingPrice.objects.filter(product_id__in=products)
            .values_list("product_id", "amount_currency", "amount", "basis")}
    table: dict[tuple[int, str], dict[str, StandalonePrice]] = defaultdict(dict)
    for entry in StandalonePrice.objects.filter(product_id__in=products):
        table[entry.product_id, entry.currency][entry.basis] = entry
    totals = scheduled_totals(contract_ids)
    by_quote_line = {line.quote_line_id: line.pk for line in lines if line.quote_line_id}
    grouped: dict[int, list[ContractLine]] = defaultdict(list)
    for line in lines:
        line.ssp_entry = _table_entry(table.get((line.product_id, line.contract.currency)),
                                      line.billing_period)
        line.ssp_row = ssps.get((line.product_id, line.contract.currency))
        line.signed, line.in_force = totals.get(line.pk, (ZERO, ZERO))
        parent = line.quote_line.parent_id if line.quote_line_id else None
        line.bundle_line_id = by_quote_line.get(parent) if line.included else None
        grouped[line.contract_id].append(line)
    return grouped


BASIS_OF_PERIOD = {"monthly": "per_month", "annual": "per_year", "one_time": "one_time"}


def _table_entry(entries: dict | None, billing_period: str) -> StandalonePrice | None:
    """The SSP table's entry for a line: the one on the basis of its billing period, else the
    first of per month, per year, one-time."""
    if not entries:
        return None
    preferred = BASIS_OF_PERIOD.get(billing_period)
    return entries.get(preferred) or next(
        (entries[b] for b in ("per_month", "per_year", "one_time") if b in entries), None)


def facts_of(line: ContractLine) -> LineFacts:
    """A line of `lines_with_ssp` as allocation reads it: its price is its signed schedule; its
    SSP the catalog's over the line's term as signed (an early end changes the price by the
    schedule's rows, not the SSP)."""
    currency = line.contract.currency
    entry = getattr(line, "ssp_entry", None)

    def over_term(unit, basis):
        return ssp_over_term(unit, basis, line.quantity, line.start_on, signed_end(line),
                             currency, recurring=line.is_recurring)

    if entry is not None and entry.amount is not None:
        term_ssp = over_term(entry.amount, entry.basis)
    elif entry is None and line.ssp_row is not None:
        term_ssp = over_term(*line.ssp_row)
    else:  # no SSP, or a residual one (its SSP comes from the others'): the list amount
        term_ssp = estimated_ssp(line.list_amount, currency)
    low = high = None
    if entry is not None:
        low = None if entry.low is None else over_term(entry.low, entry.basis).amount
        high = None if entry.high is None else over_term(entry.high, entry.basis).amount
    return LineFacts(key=str(line.pk), net=line.signed, ssp=term_ssp.amount,
                     rule=line.product.revenue_rule,
                     bundle_key=str(line.bundle_line_id) if line.bundle_line_id else None,
                     is_bundle=line.product.is_bundle, term_ssp=term_ssp,
                     ssp_method=entry.method if entry is not None else "",
                     ssp_low=low, ssp_high=high)


def signed_end(line: ContractLine) -> date:
    """The last day the line was signed for: an ended recurring line kept the contract's end
    when it was signed (its own `end_on` moved earlier when it ended)."""
    if line.is_recurring and line.status == LineStatus.ENDED and line.end_on < line.contract.end_on:
        return line.contract.end_on
    return line.end_on


@dataclass(frozen=True)
class Delivered:
    ordered: Decimal
    delivered: Decimal = ZERO
    last_on: date | None = None  # the last delivery up to the day asked


def deliveries(contract_line_ids, *, through: date | None = None) -> dict[int, Delivered]:
    """Per contract line on an order (not cancelled): the quantity ordered, delivered up to
    `through` (all when None), and the last day delivered; two queries."""
    ids = list(contract_line_ids)
    ordered: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, quantity in (OrderLine.objects.filter(contract_line_id__in=ids)
                              .exclude(order__state=OrderState.CANCELLED).order_by()
                              .values_list("contract_line_id", "quantity")):
        ordered[line_id] += quantity
    fulfilments = Fulfilment.objects.filter(line__contract_line_id__in=ids).exclude(
        line__order__state=OrderState.CANCELLED)
    if through is not None:
        fulfilments = fulfilments.filter(fulfilled_on__lte=through)
    delivered: dict[int, tuple[Decimal, date]] = {}
    for line_id, quantity, day in fulfilments.order_by().values_list(
            "line__contract_line_id", "quantity", "fulfilled_on"):
        total, last = delivered.get(line_id, (ZERO, day))
        delivered[line_id] = (total + quantity, max(last, day))
    return {line_id: Delivered(quantity, *delivered.get(line_id, (ZERO, None)))
            for line_id, quantity in ordered.items()}


# Billed per revenue contract ---------------------------------------------------------------

@dataclass(frozen=True)
class Billed:
    amount: Decimal = ZERO  # contract currency
    functional: Decimal = ZERO


def billed_to_date(revenue_contract_ids, *, through: date) -> dict[int, Billed]:
    """Per revenue contract: invoice lines of its obligations' contract lines on invoices issued
    (not void) on or before `through`, less credit note lines issued by then; two queries.
    The ids are a list or a queryset of ids (a subquery: no parameter per id)."""
    ids = revenue_contract_ids
    totals: dict[int, list] = defaultdict(lambda: [ZERO, ZERO])
    invoiced = (InvoiceLine.objects
                .filter(invoice__state__in=BILLED_STATES, invoice__issue_on__lte=through,
                        contract_line__revenue_obligation__revenue_contract_id__in=ids)
                .order_by()
                .values_list("contract_line__revenue_obligation__revenue_contract_id",
                             "invoice__currency", "invoice__fx_rate", "amount"))
    credited = (CreditNoteLine.objects
                .filter(credit_note__state=CreditNoteState.ISSUED,
                        credit_note__issue_on__lte=through,
                        invoice_line__contract_line__revenue_obligation__revenue_contract_id__in=ids)
                .order_by()
                .values_list("invoice_line__contract_line__revenue_obligation__revenue_contract_id",
                             "credit_note__currency", "credit_note__fx_rate", "amount"))
    functional = settings.FUNCTIONAL_CURRENCY
    for sign, rows in ((1, invoiced), (-1, credited)):
        for rc_id, _currency, rate, amount in rows:
            totals[rc_id][0] += sign * amount
            totals[rc_id][1] += sign * round_money(amount * (rate or 1), functional)
    return {rc_id: Billed(doc, fun) for rc_id, (doc, fun) in totals.items()}


# Contract assets (unbilled receivable) --------------------------------------------------------

def _latest_assets(account_id: int | None = None):
    """Revenue contracts with `asset`: the contract asset their latest run left, recognized
    ahead of billing (functional; never negative, `revrec.release`; None before any run). One
    newest item a contract, found by the (contract, month) index: 0.5 s for 100,000 contracts
    with two years of items, where looking for the items with no later month read all 2.4
    million of them (2 s)."""
    latest = (RecognitionItem.objects.filter(revenue_contract=OuterRef("pk"))
              .order_by("-month").values("contract_asset")[:1])
    contracts = RevenueContract.objects.all()
    if account_id is not None:
        contracts = contracts.filter(account_id=account_id)
    return contracts.annotate(asset=Subquery(latest)).order_by()


def _arrears_interest(account_id: int | None = None):
    """Interest the runs accrued on amounts due in arrears (IFRS 15.65): on the unbilled
    receivable until billed."""
    lines = InterestLine.objects.filter(run__isnull=False, kind=FinancingKind.ARREARS)
    if account_id is not None:
        lines = lines.filter(component__obligation__revenue_contract__account_id=account_id)
    return lines.order_by()


def _asset_totals(field: str, account_id: int | None = None) -> dict:
    """The contract assets the runs left plus the interest they accrued in arrears, functional,
    per `field` of the revenue contract (those not zero); two aggregate queries."""
    functional = settings.FUNCTIONAL_CURRENCY
    totals: dict = defaultdict(lambda: ZERO)
    for rows in (_latest_assets(account_id).values_list(field).annotate(total=Sum("asset")),
                 _arrears_interest(account_id).values_list(
                     f"component__obligation__revenue_contract__{field}")
                 .annotate(total=Sum("amount_functional"))):
        for key, total in rows:
            # SQLite sums in floating point; a contract with no run yet adds None
            totals[key] += round_money(total or ZERO, functional)
    return {key: amount for key, amount in totals.items() if amount}


def contract_asset_rows() -> list[QuerySet]:
    """What revenue recognition says is recognized and not yet invoiced, as rows of (customer
    account, functional currency, amount) for the database to sum: each revenue contract's
    latest contract asset and the interest accrued in arrears (the asset is measured in the
    functional currency, `revrec.release`)."""
    functional = Value(settings.FUNCTIONAL_CURRENCY, output_field=CharField())
    return [_latest_assets().values_list("account_id", functional, "asset"),
            _arrears_interest().values_list(
                "component__obligation__revenue_contract__account_id", functional,
                "amount_functional")]


def contract_assets_of(account_id: int) -> list[tuple[str, Decimal]]:
    """One customer's revenue contracts with a contract asset: (number, functional amount)."""
    return sorted(_asset_totals("number", account_id).items())


# Pages -------------------------------------------------------------------------------------

def revenue_contracts() -> QuerySet[RevenueContract]:
    """Every revenue contract (revrec's pages are for finance and accountants, who see all)."""
    return RevenueContract.objects.select_related("account", "contract").order_by(
        "-created_on", "-pk")


def revenue_contract_for_detail(pk: int) -> RevenueContract:
    return get_object_or_404(revenue_contracts(), pk=pk)


def obligations_of(revenue_contract: RevenueContract) -> list[PerformanceObligation]:
    """Its obligations with their product, line and schedule (five queries in all), each with
    `recognized` and `remaining` set, `delivery` (`Delivered`, or None) for one delivered by
    units on an order, `financing_component` and `minimum` (a guaranteed minimum; or None)."""
    obligations = list(
        PerformanceObligation.objects.filter(revenue_contract=revenue_contract)
        .select_related("product", "contract_line", "predecessor__contract_line",
                        "financing__recorded_by", "guaranteed_minimum")
        .prefetch_related("schedule").order_by("contract_line__position", "pk"))
    delivered = deliveries([o.contract_line_id for o in obligations
                            if o.pattern == Pattern.POINT_IN_TIME and o.contract_line_id])
    for obligation in obligations:
        obligation.delivery = delivered.get(obligation.contract_line_id)
        obligation.financing_component = getattr(obligation, "financing", None)
        obligation.minimum = getattr(obligation, "guaranteed_minimum", None)
        lines = list(obligation.schedule.all())
        obligation.recognized = sum((s.amount for s in lines if s.run_id), ZERO)
        obligation.scheduled = sum((s.amount for s in lines), ZERO)
        obligation.remaining = obligation.scheduled - obligation.recognized
    return obligations


def schedule_grid(obligations) -> tuple[list[date], list[tuple]]:
    """Months as columns, one row per obligation: (obligation, [amount or None per month])."""
    months = sorted({s.month for o in obligations for s in o.schedule.all()})
    rows = []
    for obligation in obligations:
        by_month = {s.month: s for s in obligation.schedule.all()}
        rows.append((obligation, [by_month.get(month) for month in months]))
    return months, rows


def modifications() -> QuerySet[Modification]:
    return Modification.objects.select_related("overridden_by").order_by("effective_on", "pk")


def modifications_of(revenue_contract: RevenueContract) -> QuerySet[Modification]:
    """With the members of the new contract each 15.21(a) one made (one query more)."""
    return modifications().filter(revenue_contract=revenue_contract).prefetch_related(
        Prefetch("members", queryset=ModificationMember.objects.select_related(
            "obligation__product", "carries__product").order_by("pk")))


def variable_estimates_of(revenue_contract: RevenueContract):
    """Its estimates of variable consideration, the one in force (latest) first."""
    return revenue_contract.variable_estimates.select_related(
        "recorded_by", "allocated_to__product", "allocated_to__contract_line").order_by(
        "-version")


def return_estimates_of(revenue_contract: RevenueContract) -> QuerySet[ReturnEstimate]:
    """Its return estimates, latest version first per obligation (one query)."""
    return ReturnEstimate.objects.filter(obligation__revenue_contract=revenue_contract) \
        .select_related("obligation__product", "obligation__contract_line", "recorded_by",
                        "posted_in").order_by("obligation_id", "-version")


def material_rights() -> QuerySet[MaterialRight]:
    return MaterialRight.objects.select_related("obligation", "granted_by")


def material_rights_of(obligations) -> list[MaterialRight]:
    """The material rights among a revenue contract's obligations (from `obligations_of`), each
    with its events and `earned` (scheduled to date) and `recognized`; two queries."""
    by_obligation = {o.pk: o for o in obligations if o.pattern == Pattern.ON_REDEMPTION}
    if not by_obligation:
        return []
    found = list(material_rights().filter(obligation_id__in=by_obligation)
                 .prefetch_related(Prefetch("events", RightEvent.objects.select_related("by")
                                            .order_by("on", "pk"))).order_by("pk"))
    for right in found:
        obligation = by_obligation[right.obligation_id]
        right.obligation = obligation  # with its schedule totals
        right.earned, right.recognized = obligation.scheduled, obligation.recognized
    return found


def items_of(revenue_contract: RevenueContract) -> QuerySet[RecognitionItem]:
    return revenue_contract.items.select_related("run", "entry", "reclass_entry").order_by(
        "month")


def recognition_runs() -> QuerySet[RecognitionRun]:
    return RecognitionRun.objects.select_related("started_by").order_by("-month")


# Period close ------------------------------------------------------------------------------

def accounting_period(month: date) -> AccountingPeriod | None:
    """The ledger's period starting on `month` (the first of a month), if it exists yet."""
    return AccountingPeriod.objects.filter(start_on=month).first()


def month_closed(month: date) -> bool:
    return AccountingPeriod.objects.filter(start_on=month, state=PeriodState.CLOSED).exists()


@dataclass(frozen=True)
class RunTotals:
    recognized: Decimal
    contract_asset: Decimal
    entries: int


def run_totals(run: RecognitionRun) -> RunTotals:
    """The run's revenue and contract asset (functional) and entries posted, one query."""
    totals = run.items.aggregate(recognized=Sum("recognized_functional"),
                                 asset=Sum("contract_asset"),
                                 entries=Count("entry") + Count("reclass_entry"))
    functional = settings.FUNCTIONAL_CURRENCY
    return RunTotals(round_money(totals["recognized"] or ZERO, functional),
                     round_money(totals["asset"] or ZERO, functional), totals["entries"] or 0)


def run_families(run: RecognitionRun) -> list[tuple[str, Decimal]]:
    functional = settings.FUNCTIONAL_CURRENCY
    rows = (RecognizedRevenue.objects.filter(item__run=run).values_list("family")
            .annotate(total=Sum("amount_functional")).order_by("family"))
    return [(family or "No family", round_money(total, functional)) for family, total in rows]
