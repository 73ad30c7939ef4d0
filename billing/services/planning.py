"""What a set of accounts owes on a date, read set-based (a handful of queries for a whole chunk
of accounts) and computed by the pure `billing.charges` and `billing.rating`. Writes nothing:
invoice runs write the plan, previews show it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models.fields.json import KT
from django.utils import timezone

from billing.charges import Billed, ChargeKind, LineTerms, due_charges, usage_periods
from billing.models import BillingRecord, LineSource, UsageRecord
from billing.rating import rate_usage, usage_in_period
from catalog.models import ProductKind
from catalog.pricing import PriceSpec
from catalog.proration import convention_from_setting
from contracts.models import ContractLine, ContractState, LineStatus
from orders.selectors import fulfilled_on_of_contract_line, has_order_line_of_contract_line

BILLABLE_CONTRACT_STATES = (ContractState.ACTIVE, ContractState.EXPIRED, ContractState.RENEWED,
                            ContractState.TERMINATED)
SOURCE_OF = {ChargeKind.RECURRING: LineSource.RECURRING,
             ChargeKind.CREDIT: LineSource.AMENDMENT_CREDIT,
             ChargeKind.ONE_TIME: LineSource.ONE_TIME, ChargeKind.USAGE: LineSource.USAGE}
UNIT_PLACES = Decimal("0.000001")


@dataclass
class PlannedLine:
    kind: ChargeKind
    contract_line_id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    period_start: date
    period_end: date
    proration: Decimal | None = None
    explanation: str = ""
    tax_category: str | None = None
    tax_inclusive: bool = False

    @property
    def source(self) -> str:
        return SOURCE_OF[self.kind]


@dataclass
class PlannedInvoice:
    account_id: int
    currency: str
    lines: list[PlannedLine] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass
class Plan:
    invoices: list[PlannedInvoice] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)


def convention():
    return convention_from_setting(getattr(settings, "PRORATION_CONVENTION", "actual"))


_LINE_FIELDS = ("id", "contract__account_id", "contract__currency", "contract__number",
                "billing_period", "amount_per_period", "start_on", "end_on", "product_id",
                "product__name", "product__kind", "product__tax_category__code", "description",
                "quantity", "discount_percent", "contract__account__bill_day", "fulfilled_on",
                "ordered", "tax_inclusive")


def billable_lines(account_ids, *, currency: str = ""):
    """Lines of contracts that bill (active, or ended with a last period or credit to bill),
    as plain rows with their fulfilment day (`orders.selectors`)."""
    lines = ContractLine.objects.filter(
        contract__account_id__in=account_ids, contract__state__in=BILLABLE_CONTRACT_STATES,
        status__in=(LineStatus.ACTIVE, LineStatus.ENDED), included=False)
    if currency:
        lines = lines.filter(contract__currency=currency.upper())
    return (lines.annotate(fulfilled_on=fulfilled_on_of_contract_line(),
                           ordered=has_order_line_of_contract_line(),
                           tax_inclusive=KT("price_snapshot__source__prices_include_tax"))
            .order_by("contract__account_id", "contract_id", "position", "pk")
            .values(*_LINE_FIELDS))


def _terms(row) -> LineTerms:
    # A line on an order bills from max(start, fulfilment) once fulfilled; one never ordered
    # (an imported contract) from its start.
    if row["ordered"]:
        billable = None if row["fulfilled_on"] is None else max(row["start_on"],
                                                                 row["fulfilled_on"])
    else:
        billable = row["start_on"]
    return LineTerms(row["id"], row["contract__currency"], row["billing_period"],
                     row["amount_per_period"], row["start_on"], row["end_on"], billable,
                     row["contract__account__bill_day"],
                     usage=row["product__kind"] == ProductKind.USAGE)


def _billed(line_ids) -> dict[int, list[Billed]]:
    billed = defaultdict(list)
    rows = BillingRecord.objects.filter(contract_line_id__in=line_ids).values_list(
        "contract_line_id", "kind", "period_start", "period_end")
    for line_id, kind, start, end in rows:
        billed[line_id].append(Billed(kind, start, end))
    return billed


def _usage(account_ids, as_of: date) -> dict[tuple[int, int], list[tuple[date, Decimal]]]:
    """Unbilled usage per (account, product) as (local day, quantity), summed in Python (SQLite
    sums decimals in floating point)."""
    daily = defaultdict(list)
    end = timezone.make_aware(timezone.datetime.combine(as_of, timezone.datetime.min.time()))
    rows = UsageRecord.objects.filter(account_id__in=account_ids, billing_record__isnull=True,
                                      occurred_at__lt=end).values_list(
        "account_id", "product_id", "occurred_at", "quantity")
    for account_id, product_id, occurred_at, quantity in rows:
        daily[(account_id, product_id)].append((timezone.localtime(occurred_at).date(), quantity))
    return daily


def _describe(row) -> str:
    return f"{row['description'] or row['product__name']} ({row['contract__number']})"


def _inclusive(row) -> bool:
    # The snapshot's "source" says whether its price book's prices include tax (JSON true is
    # "true" on PostgreSQL and 1 on SQLite).
    return str(row["tax_inclusive"]).lower() in ("true", "1")


def _planned(row, charge) -> PlannedLine:
    quantity = row["quantity"]
    amount = charge.amount
    unit = (amount / quantity).quantize(UNIT_PLACES) if quantity else amount
    return PlannedLine(charge.kind, row["id"], row["product_id"], _describe(row), quantity, unit,
                       amount, charge.period_start, charge.period_end, charge.proration,
                       charge.explanation, row["product__tax_category__code"], _inclusive(row))


def _usage_lines(row, terms, billed, usage, snapshots, as_of, conv) -> list[PlannedLine]:
    periods = usage_periods(terms, as_of=as_of, billed=billed, convention=conv)
    if not periods:
        return []
    spec = PriceSpec.from_dict(snapshots[row["id"]])
    daily = usage.get((row["contract__account_id"], row["product_id"]), [])
    lines = []
    for period in periods:
        quantity = usage_in_period(daily, period.start, period.end)
        rated = rate_usage(spec, quantity, discount_percent=row["discount_percent"])
        lines.append(PlannedLine(ChargeKind.USAGE, row["id"], row["product_id"], _describe(row),
                                 quantity, rated.unit_price, rated.amount, period.start,
                                 period.end, None, rated.explanation,
                                 row["product__tax_category__code"], _inclusive(row)))
    return lines


def plan_charges(account_ids, *, as_of: date, currency: str = "") -> Plan:
    """Every charge due on `as_of` for the accounts, one planned draft per account and
    currency; an account whose charges cannot be computed is a failure with the reason."""
    rows = list(billable_lines(account_ids, currency=currency))
    billed = _billed([row["id"] for row in rows])
    usage_rows = [r for r in rows if r["product__kind"] == ProductKind.USAGE]
    usage = _usage({r["contract__account_id"] for r in usage_rows}, as_of) if usage_rows else {}
    snapshots = dict(ContractLine.objects.filter(pk__in=[r["id"] for r in usage_rows])
                     .values_list("pk", "price_snapshot")) if usage_rows else {}
    conv = convention()
    plan = Plan()
    drafts: dict[tuple[int, str], PlannedInvoice] = {}
    for row in rows:
        account_id = row["contract__account_id"]
        if account_id in plan.failures:
            continue
        try:
            terms = _terms(row)
            lines = [_planned(row, charge) for charge in
                     due_charges(terms, as_of=as_of, billed=billed[row["id"]], convention=conv)]
            lines += _usage_lines(row, terms, billed[row["id"]], usage, snapshots, as_of, conv)
        except (ValueError, ArithmeticError, KeyError, TypeError) as error:
            plan.failures[account_id] = f"Contract line {row['id']}: {error}"
            continue
        if lines:
            key = (account_id, row["contract__currency"])
            drafts.setdefault(key, PlannedInvoice(*key)).lines.extend(lines)
    plan.invoices = [draft for key, draft in drafts.items() if key[0] not in plan.failures]
    return plan
