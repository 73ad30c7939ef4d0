"""What a set of accounts owes on a date: the rows of their contract lines' charge schedules
(`contracts.ScheduledCharge`) that are due and that no invoice holds, read set-based (a handful
of queries for a whole chunk of accounts). Usage rows are rated here (`billing.rating`) from the
usage recorded in their period. Writes nothing: invoice runs write the plan, previews show it,
so a preview lists exactly what the run bills.

A row is due when its `due_on` has come, its contract bills (active, or ended with charges
left), the change that made it is still in force (`ended_by` empty), and, for a line an order
delivers, once that order line is fulfilled (the charges then bill as scheduled). Credits are
due on the day their change takes effect, and wait with the lines the same change starts until
those are fulfilled, so a change's credits and charges land on the same invoice.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from billing.models import BillingRecord, InvoiceRunFailure, LineSource, UsageRecord
from billing.rating import day_start, local_day, rate_usage, usage_in_period
from billing.selectors import account_zones
from catalog.charge_schedule import ChargeKind
from catalog.pricing import PriceSpec
from catalog.rounding import RoundingPolicy
from contracts.models import ContractLine, ContractState, ScheduledCharge
from core.bulk_rows import among
from core.money import allocate, round_money
from customers.models import Account
from customers.selectors import pauses_covering
from orders.selectors import fulfilled_on_of_contract_line, has_order_line_of_contract_line

BILLABLE_CONTRACT_STATES = (ContractState.ACTIVE, ContractState.EXPIRED, ContractState.RENEWED,
                            ContractState.TERMINATED)
SOURCE_OF = {ChargeKind.RECURRING: LineSource.RECURRING,
             ChargeKind.CREDIT: LineSource.AMENDMENT_CREDIT,
             ChargeKind.ONE_TIME: LineSource.ONE_TIME, ChargeKind.USAGE: LineSource.USAGE}
UNIT_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Credited:
    """The invoice line that billed what a credit row takes back."""

    invoice_id: int
    invoice_state: str
    invoice_line_id: int
    net: Decimal  # the credit as a net amount of that line (its share of the line's net)


@dataclass
class PlannedLine:
    kind: ChargeKind
    scheduled_charge_id: int
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
    credited: Credited | None = None  # for a credit: what it takes back
    rounding_policy: RoundingPolicy = RoundingPolicy()  # its price book's (snapshot's)
    # the top-up of a usage period's minimum, billed on its own line beside the usage it tops
    # up (one charge, one billing record: the usage line's)
    shortfall: bool = False

    @property
    def source(self) -> str:
        return LineSource.SHORTFALL if self.shortfall else SOURCE_OF[self.kind]


@dataclass
class PlannedInvoice:
    account_id: int
    currency: str
    lines: list[PlannedLine] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def policy(self) -> RoundingPolicy:
        """The rounding policy of its lines' price books (plan_charges keeps one per draft)."""
        return self.lines[0].rounding_policy if self.lines else RoundingPolicy()


@dataclass
class Plan:
    invoices: list[PlannedInvoice] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)


def _part_of_period(row) -> Decimal | None:
    """The share of its period a prorated row charges: by seconds for a price prorated by the
    second, else by days; None when the row is not prorated."""
    if row["seconds"] is not None and row["period_seconds"]:
        return Decimal(row["seconds"]) / Decimal(row["period_seconds"])
    if row["days"] is not None and row["period_days"]:
        return Decimal(row["days"]) / Decimal(row["period_days"])
    return None


_ROW_FIELDS = ("id", "kind", "period_start", "period_end", "amount", "days", "period_days",
               "seconds", "period_seconds",
               "explanation", "line_id", "line__contract__account_id", "line__contract__currency",
               "line__contract__number", "line__product_id", "line__product__name",
               "line__product__tax_category__code", "line__description", "line__quantity",
               "line__discount_percent", "tax_inclusive", "about__amount",
               "about__billing_record__invoice_id", "about__billing_record__invoice__state",
               "about__billing_record__invoice_line_id",
               "about__billing_record__invoice_line__amount", "rounding_policy")


def _of(accounts, path: str):
    """The filter "the account at `path` is one of `accounts`" (a queryset, or ids sent as one
    array: `core.bulk_rows.among`)."""
    if isinstance(accounts, QuerySet):
        return Q(**{f"{path}__in": accounts})
    return among(f"{path}_id", accounts)


def due_charges(accounts, *, as_of: date, currency: str = ""):
    """The accounts' schedule rows due on `as_of` that no invoice holds (`accounts`: ids or a
    queryset of accounts). An account whose billing is paused on `as_of` has none: its rows
    stay unbilled (held) and are billed by the first run on or after the day it resumes."""
    waiting = ContractLine.objects.filter(_of(accounts, "contract__account")).annotate(
        ordered=has_order_line_of_contract_line(),
        fulfilled_on=fulfilled_on_of_contract_line()).filter(
        ordered=True, fulfilled_on__isnull=True).values("pk")
    # a change's credits wait with the lines it starts, so they land on the same invoice
    waiting_changes = ScheduledCharge.objects.filter(line__in=waiting).values("change_id")
    rows = ScheduledCharge.objects.filter(
        _billable_lines(accounts), ended_by__isnull=True, due_on__lte=as_of).exclude(
        Exists(BillingRecord.objects.filter(scheduled_charge=OuterRef("pk")))).exclude(
        Exists(pauses_covering(as_of, "line__contract__account_id"))).exclude(
        Q(line__in=waiting) | Q(kind=ChargeKind.CREDIT, change_id__in=waiting_changes))
    return rows.filter(currency=currency.upper()) if currency else rows


def _billable_lines(accounts):
    """The filter "the row's line is of one of `accounts`' contracts that bill". For ids (a
    run's chunk) the lines are read first and the rows found by their line: joined in one
    statement, the planner read every due row of every account through the due-date index
    and every billing record, per chunk (issue 23: drafting's database time grew with the
    size of the whole run)."""
    if isinstance(accounts, QuerySet):
        return Q(line__contract__account__in=accounts,
                 line__contract__state__in=BILLABLE_CONTRACT_STATES)
    return among("line_id", ContractLine.objects.filter(
        among("contract__account_id", accounts),
        contract__state__in=BILLABLE_CONTRACT_STATES).values_list("pk", flat=True))


def due_rows(account_ids, *, as_of: date, currency: str = "", lock: bool = False):
    """`due_charges` as plain rows in account, contract, line and period order; `lock` takes
    their row locks (pk order) so a change to the contract waits for the run that bills them."""
    rows = due_charges(account_ids, as_of=as_of, currency=currency)
    if lock:
        locked = list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk",
                                                                                      flat=True))
        rows = ScheduledCharge.objects.filter(among("pk", locked))
    inclusive = KeyTextTransform("prices_include_tax",
                                 KeyTransform("source", "line__price_snapshot"))
    policy = KeyTransform("rounding_policy", KeyTransform("source", "line__price_snapshot"))
    return (rows.annotate(tax_inclusive=inclusive, rounding_policy=policy)
            .order_by("line__contract__account_id", "line__contract_id", "line__position",
                      "period_start", "pk")
            .values(*_ROW_FIELDS))


def _usage(account_ids, as_of: date) -> dict[tuple[int, int], list[tuple[date, Decimal]]]:
    """Unbilled usage per (account, product) as (day, quantity), each event on the day it
    happened in its account's time zone and only the days before `as_of` there (the run's
    cut-off is the account's midnight), summed in Python (SQLite sums decimals in floating
    point)."""
    daily = defaultdict(list)
    zones = account_zones(account_ids)
    if not zones:
        return daily
    latest_end = max(day_start(as_of, zone) for zone in zones.values())
    rows = UsageRecord.objects.filter(among("account_id", zones), billing_record__isnull=True,
                                      occurred_at__lt=latest_end).values_list(
        "account_id", "product_id", "occurred_at", "quantity")
    for account_id, product_id, occurred_at, quantity in rows:
        day = local_day(occurred_at, zones[account_id])
        if day < as_of:
            daily[(account_id, product_id)].append((day, quantity))
    return daily


def _describe(row) -> str:
    return f"{row['line__description'] or row['line__product__name']} " \
           f"({row['line__contract__number']})"


def _inclusive(row) -> bool:
    # The snapshot's "source" says whether its price book's prices include tax (JSON true is
    # "true" on PostgreSQL and 1 on SQLite).
    return str(row["tax_inclusive"]).lower() in ("true", "1")


def _policy(row) -> RoundingPolicy:
    """The price book's rounding policy its snapshot keeps (absent: the default one; a JSON
    object as text on some databases)."""
    data = row["rounding_policy"]
    if isinstance(data, str):
        data = json.loads(data)
    return _policy_of(tuple(sorted(data.items()))) if data else RoundingPolicy()


@lru_cache(maxsize=64)
def _policy_of(items: tuple) -> RoundingPolicy:
    """A snapshot's policy from its (key, value) pairs: a chunk's thousand rows name one or two
    books, so each is built once."""
    return RoundingPolicy.from_dict(dict(items))


def _credited(row) -> Credited | None:
    """Where a credit row's original charge was billed; its net share of that invoice line
    (the same amount unless the price included tax)."""
    line_id = row["about__billing_record__invoice_line_id"]
    if row["kind"] != ChargeKind.CREDIT or line_id is None:
        return None
    billed, line_net = row["about__amount"], row["about__billing_record__invoice_line__amount"]
    net = -row["amount"] if billed == line_net else round_money(
        line_net * -row["amount"] / billed, row["line__contract__currency"])
    return Credited(row["about__billing_record__invoice_id"],
                    row["about__billing_record__invoice__state"], line_id, net)


def _planned(row, *, quantity=None, unit_price=None, amount=None, explanation=None):
    quantity = row["line__quantity"] if quantity is None else quantity
    amount = row["amount"] if amount is None else amount
    if unit_price is None:
        unit_price = (amount / quantity).quantize(UNIT_PLACES) if quantity else amount
    proration = _part_of_period(row)
    return PlannedLine(ChargeKind(row["kind"]), row["id"], row["line_id"],
                       row["line__product_id"], _describe(row), quantity, unit_price, amount,
                       row["period_start"], row["period_end"], proration,
                       row["explanation"] if explanation is None else explanation,
                       row["line__product__tax_category__code"], _inclusive(row),
                       _credited(row), _policy(row))


def _rated(row, usage, snapshot: dict) -> list[PlannedLine]:
    """The usage line of a period, and its minimum's shortfall on a line of its own (Lago's
    "true-up fee" of a spending minimum) when the usage falls below it."""
    spec = PriceSpec.from_dict(snapshot)
    daily = usage.get((row["line__contract__account_id"], row["line__product_id"]), [])
    quantity = usage_in_period(daily, row["period_start"], row["period_end"])
    rated = rate_usage(spec, quantity, discount_percent=row["line__discount_percent"])
    if not rated.shortfall:
        return [_planned(row, quantity=quantity, unit_price=rated.unit_price,
                         amount=rated.amount, explanation=rated.explanation)]
    # the net (after the line's discount) split as the list amount splits, largest remainder
    used, topped_up = allocate(rated.amount, [rated.list_amount - rated.shortfall,
                                              rated.shortfall], spec.currency)
    usage_line = _planned(row, quantity=quantity, amount=used, explanation=rated.explanation,
                          unit_price=(used / quantity).quantize(UNIT_PLACES) if quantity
                          else Decimal(0))
    top_up = replace(usage_line, quantity=Decimal(1), unit_price=topped_up, amount=topped_up,
                     description=f"Minimum commitment shortfall: {usage_line.description}",
                     shortfall=True)
    return [usage_line, top_up]


def plan_charges(account_ids, *, as_of: date, currency: str = "", lock: bool = False) -> Plan:
    """Every charge due on `as_of` for the accounts, one planned draft per account and
    currency; an account whose charges cannot be computed is a failure with the reason."""
    rows = list(due_rows(account_ids, as_of=as_of, currency=currency, lock=lock))
    usage_rows = [r for r in rows if r["kind"] == ChargeKind.USAGE]
    usage = (_usage({r["line__contract__account_id"] for r in usage_rows}, as_of)
             if usage_rows else {})
    snapshots = dict(ContractLine.objects.filter(pk__in={r["line_id"] for r in usage_rows})
                     .values_list("pk", "price_snapshot")) if usage_rows else {}
    plan = Plan()
    drafts: dict[tuple[int, str], PlannedInvoice] = {}
    for row in rows:
        account_id = row["line__contract__account_id"]
        if account_id in plan.failures:
            continue
        try:
            lines = (_rated(row, usage, snapshots[row["line_id"]])
                     if row["kind"] == ChargeKind.USAGE else [_planned(row)])
        except (ValueError, ArithmeticError, KeyError, TypeError) as error:
            plan.failures[account_id] = f"Contract line {row['line_id']}: {error}"
            continue
        key = (account_id, row["line__contract__currency"])
        drafts.setdefault(key, PlannedInvoice(*key)).lines.extend(lines)
    for (account_id, currency), draft in drafts.items():
        policies = {line.rounding_policy for line in draft.lines}
        if len(policies) > 1 and account_id not in plan.failures:
            plan.failures[account_id] = (
                f"Its {currency} charges come from price books that round differently "
                f"({'; '.join(sorted(_worded(p) for p in policies))}): one invoice keeps one "
                "rounding policy, so make the books' rounding the same.")
    plan.invoices = [draft for key, draft in drafts.items() if key[0] not in plan.failures]
    return plan


def _worded(policy: RoundingPolicy) -> str:
    step = f", cash step {policy.cash_step.normalize():f}" if policy.cash_step else ""
    tax = f", tax {policy.tax.value.replace('_', ' ')}" if policy.tax else ""
    return f"{policy.mode.value.replace('_', ' ')}{tax}{step}"


@dataclass
class Unbilled:
    account: Account
    charges: int
    first_due: date
    reason: str  # why the latest run that tried could not bill it; empty if none tried


def unbilled_accounts(accounts, *, on: date, limit: int) -> tuple[int, list[Unbilled]]:
    """Accounts with charges due before `on` that no invoice holds (a run failed them, or no
    run has billed them since they fell due), the oldest first, with the latest run's reason."""
    rows = (due_charges(accounts, as_of=on - timedelta(days=1))
            .values("line__contract__account_id")
            .annotate(charges=Count("pk"), first_due=Min("due_on"))
            .order_by("first_due", "line__contract__account_id"))
    shown = list(rows[:limit])
    ids = [row["line__contract__account_id"] for row in shown]
    names = Account.objects.in_bulk(ids)
    reasons = {}
    for account_id, reason in (InvoiceRunFailure.objects.filter(account_id__in=ids)
                               .order_by("account_id", "-run_id")
                               .values_list("account_id", "reason")):
        reasons.setdefault(account_id, reason)
    return rows.count(), [Unbilled(names[row["line__contract__account_id"]], row["charges"],
                                   row["first_due"],
                                   reasons.get(row["line__contract__account_id"], ""))
                          for row in shown]
