"""What the customer reads about a change to their contract, from the charge schedule rows.

    amendment_document(amendment) -> AmendmentDocument
    renewal_document(renewal) -> RenewalDocument

An amendment not yet applied is priced exactly as `apply_amendment` will store it: the rows
`amendment_changes` makes (the old lines' shorter charges and credits from `end_lines`' preview,
and the new lines' schedules). An applied one reads the rows its schedule change stored. Either
way the figures are sums of those rows, so the document says what the invoices will charge.
Nothing here writes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from catalog.charge_schedule import ChargeKind
from catalog.models import BillingPeriod
from contracts.models import Amendment, ContractLine, Renewal, ScheduledCharge
from contracts.selectors import lines_in_force
from contracts.services.amendments import (
    amendment_changes,
    amendment_stops,
    end_changed_lines,
    recurring_monthly,
)
from core.money import round_money

ONE_DAY = timedelta(days=1)
NEXT_INVOICES = 3
ZERO = Decimal(0)


@dataclass(frozen=True)
class ScheduleLine:
    """One row as a document shows it (a stored row or one the change will store)."""

    product: str
    kind: str
    period_start: date
    period_end: date
    due_on: date
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class ChangedLine:
    """One line's change from the effective date: what it was, what it becomes, and what the
    rest of the current billing period and the rest of the term credit and charge."""

    product: str
    kind: str  # added, changed, removed
    billing_period: str
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    price_before: Decimal | None  # net per period
    price_after: Decimal | None
    credit_period: Decimal
    charge_period: Decimal
    credit_term: Decimal
    charge_term: Decimal
    credit_rows: tuple[ScheduleLine, ...] = ()
    charge_rows: tuple[ScheduleLine, ...] = ()

    @property
    def billing_period_label(self) -> str:
        return BillingPeriod(self.billing_period).label

    @property
    def net_period(self) -> Decimal:
        return self.charge_period - self.credit_period

    @property
    def net_term(self) -> Decimal:
        return self.charge_term - self.credit_term


@dataclass(frozen=True)
class ProjectedInvoice:
    """What the invoice run bills on one due date: every unbilled row of the contract due then
    (usage is rated after its period and is not included)."""

    due_on: date
    rows: tuple[ScheduleLine, ...]
    amount: Decimal


@dataclass(frozen=True)
class AmendmentDocument:
    amendment: Amendment
    contract: object
    currency: str
    effective_on: date
    applied: bool
    changes: list[ChangedLine]
    recurring_before: Decimal  # per month
    recurring_after: Decimal
    next_invoices: list[ProjectedInvoice] = field(default_factory=list)

    def _sum(self, name: str) -> Decimal:
        return round_money(sum((getattr(c, name) for c in self.changes), ZERO), self.currency)

    @property
    def credit_period(self) -> Decimal:
        return self._sum("credit_period")

    @property
    def charge_period(self) -> Decimal:
        return self._sum("charge_period")

    @property
    def net_period(self) -> Decimal:
        return self.charge_period - self.credit_period

    @property
    def credit_term(self) -> Decimal:
        return self._sum("credit_term")

    @property
    def charge_term(self) -> Decimal:
        return self._sum("charge_term")

    @property
    def net_term(self) -> Decimal:
        return self.charge_term - self.credit_term


def _shown(row, product: str) -> ScheduleLine:
    return ScheduleLine(product, str(row.kind), row.period_start, row.period_end, row.due_on,
                        row.amount, row.explanation)


def _holds(row, day: date) -> bool:
    return row.period_start <= day <= row.period_end


def _credit(ended: list[ScheduledCharge], added: list[ScheduledCharge], effective: date):
    """What ending a line takes off its schedule, for the period holding the effective date
    and for the whole rest of the term: the ended rows less the rows that replace them (a
    credit row replaces its billed row with a negative amount)."""
    by_about = defaultdict(Decimal)
    for row in added:
        by_about[row.about_id] += row.amount
    ended_ids = {row.pk for row in ended}
    abouts = {row.pk: row for row in ended} | {row.about.pk: row.about for row in added}
    period = term = ZERO
    for pk, about in abouts.items():
        taken = (about.amount if pk in ended_ids else ZERO) - by_about[pk]
        term += taken
        if _holds(about, effective):
            period += taken
    return period, term


def _first_period(rows, effective: date) -> Decimal:
    return sum((r.amount for r in rows if _holds(r, effective)), ZERO)


def _projected(contract, *, removed_ids: set[int], extra: list[ScheduleLine],
               since: date | None) -> list[ProjectedInvoice]:
    """The next invoices once the change is in the schedule: unbilled rows in force (less the
    ones it ends) and the rows it adds, grouped by due date, from the change's first due date."""
    rows = (ScheduledCharge.objects.filter(line__contract=contract, ended_by__isnull=True,
                                           billing_record__isnull=True)
            .exclude(kind=ChargeKind.USAGE).exclude(pk__in=removed_ids)
            .select_related("line__product").order_by("due_on", "line__position", "pk"))
    shown = [_shown(r, r.line.product.name) for r in rows]
    shown += [r for r in extra if r.kind != ChargeKind.USAGE]
    if since is None:
        return []
    by_day = defaultdict(list)
    for row in shown:
        if row.due_on >= since:
            by_day[row.due_on].append(row)
    return [ProjectedInvoice(day, tuple(by_day[day]), round_money(
        sum((r.amount for r in by_day[day]), ZERO), contract.currency))
        for day in sorted(by_day)[:NEXT_INVOICES]]


def _pending(amendment: Amendment) -> AmendmentDocument:
    contract, effective = amendment.contract, amendment.effective_on
    old_lines = list(lines_in_force(contract, effective).select_related("contract"))
    changes = amendment_changes(amendment, old_lines=old_lines)
    ending = [c.old_line for c in changes if c.old_line is not None]
    starting = [c.new_contract_line for c in changes if c.new_contract_line is not None]
    preview = end_changed_lines(amendment, ending, change=None,
                                stops=amendment_stops(amendment, ending, starting))
    shown, added_rows = [], []
    for change in changes:
        old, new = change.old_line, change.new_contract_line
        ended = [r for r in preview.ended if old is not None and r.line_id == old.pk]
        added = [r for r in preview.added if old is not None and r.line_id == old.pk]
        new_rows = list(change.charge.rows) if change.charge else []
        credit_period, credit_term = _credit(ended, added, effective)
        name = change.product.name
        added_rows += [_shown(r, name) for r in added] + [_shown(r, name) for r in new_rows]
        shown.append(ChangedLine(
            name, change.kind, change.billing_period,
            old.quantity if old else None, change.new_line.quantity if change.new_line else None,
            old.amount_per_period if old else None, new.amount_per_period if new else None,
            credit_period, _first_period(new_rows, effective), credit_term,
            change.charge.amount if change.charge else ZERO,
            tuple(_shown(r, name) for r in added), tuple(_shown(r, name) for r in new_rows)))
    after = [line for line in old_lines if line not in ending]
    after += [c.new_contract_line for c in changes if c.new_contract_line is not None]
    return AmendmentDocument(
        amendment, contract, contract.currency, effective, False, shown,
        recurring_monthly(old_lines, contract.currency),
        recurring_monthly(after, contract.currency),
        _projected(contract, removed_ids={r.pk for r in preview.ended}, extra=added_rows,
                   since=min((r.due_on for r in added_rows), default=None)))


def _applied(amendment: Amendment) -> AmendmentDocument:
    contract, effective = amendment.contract, amendment.effective_on
    change = getattr(amendment, "schedule_change", None)  # None: applied before schedules
    if change is None:
        return AmendmentDocument(amendment, contract, contract.currency, effective, True, [],
                                 ZERO, ZERO)
    added = list(change.rows.select_related("about", "line__product").order_by("pk"))
    ended = list(change.ended_rows.select_related("line__product").order_by("pk"))
    new_lines = list(amendment.new_lines.select_related("product", "replaces__product")
                     .order_by("position"))
    new_ids = {line.pk for line in new_lines}
    old_lines = {row.line_id: row.line for row in [*ended, *added] if row.line_id not in new_ids}
    replaced = {line.replaces_id: line for line in new_lines if line.replaces_id}
    shown = []

    def rows_of(line_id, rows):
        return [r for r in rows if r.line_id == line_id]

    for line in new_lines:
        old = line.replaces
        new_rows = rows_of(line.pk, added)
        old_ended = rows_of(old.pk, ended) if old else []
        old_added = rows_of(old.pk, added) if old else []
        credit_period, credit_term = _credit(old_ended, old_added, effective)
        shown.append(ChangedLine(
            line.product.name, "changed" if old else "added", line.billing_period,
            old.quantity if old else None, line.quantity,
            old.amount_per_period if old else None, line.amount_per_period,
            credit_period, _first_period(new_rows, effective), credit_term,
            round_money(sum((r.amount for r in new_rows), ZERO), contract.currency),
            tuple(_shown(r, line.product.name) for r in old_added),
            tuple(_shown(r, line.product.name) for r in new_rows)))
    for line_id, old in old_lines.items():
        if line_id in replaced:
            continue
        old_added = rows_of(line_id, added)
        credit_period, credit_term = _credit(rows_of(line_id, ended), old_added, effective)
        shown.append(ChangedLine(
            old.product.name, "removed", old.billing_period, old.quantity, None,
            old.amount_per_period, None, credit_period, ZERO, credit_term, ZERO,
            tuple(_shown(r, old.product.name) for r in old_added)))
    before = list(ContractLine.objects.filter(contract=contract, start_on__lte=effective
                                              - ONE_DAY, end_on__gte=effective - ONE_DAY)
                  .exclude(pk__in=new_ids))
    after = list(ContractLine.objects.filter(contract=contract, start_on__lte=effective,
                                             end_on__gte=effective)
                 .exclude(pk__in=old_lines))  # a line stopped at a moment ends on the day
    changed_rows = [_shown(r, r.line.product.name) for r in added]
    return AmendmentDocument(
        amendment, contract, contract.currency, effective, True, shown,
        recurring_monthly([line for line in before if line.is_recurring], contract.currency),
        recurring_monthly([line for line in after if line.is_recurring], contract.currency),
        _projected(contract, removed_ids=set(), extra=[],
                   since=min((r.due_on for r in changed_rows), default=None)))


def amendment_document(amendment: Amendment) -> AmendmentDocument:
    """The amendment as the customer reads it: each change, its credit and charge for the
    rest of the current period and of the term, the recurring total before and after, and the
    next invoices, all from the schedule rows it stores (or will store)."""
    if amendment.is_applied:
        return _applied(amendment)
    return _pending(amendment)


@dataclass(frozen=True)
class UpliftLine:
    """One renewed line: its price on the contract and on the renewal quote."""

    product: str
    billing_period: str
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    unit_before: Decimal | None  # list unit price
    unit_after: Decimal | None
    period_before: Decimal | None  # net per period
    period_after: Decimal | None

    @property
    def billing_period_label(self) -> str:
        return BillingPeriod(self.billing_period).label

    @property
    def percent(self) -> Decimal | None:
        """The unit price's change in percent (two places), None for a new or dropped line."""
        if not self.unit_before or self.unit_after is None:
            return None
        return ((self.unit_after / self.unit_before - 1) * 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class RenewalDocument:
    renewal: Renewal
    contract: object
    currency: str
    start_on: date
    uplift_percent: Decimal
    lines: list[UpliftLine]


def renewal_document(renewal: Renewal) -> RenewalDocument:
    """The renewal quote against the contract it renews: each recurring line's price before
    and after (the uplift), matched by product and billing period in position order."""
    contract, quote = renewal.contract, renewal.quote
    old_by_key = defaultdict(list)
    for line in (contract.lines.select_related("product").filter(end_on=contract.end_on)
                 .exclude(billing_period=BillingPeriod.ONE_TIME).order_by("position", "pk")):
        old_by_key[(line.product_id, line.billing_period)].append(line)
    shown = []
    for new in quote.lines.select_related("product").order_by("position", "pk"):
        olds = old_by_key.get((new.product_id, new.billing_period))
        old = olds.pop(0) if olds else None
        shown.append(UpliftLine(
            new.product.name, new.billing_period, old.quantity if old else None, new.quantity,
            old.list_unit_price if old else None, new.list_unit_price,
            old.amount_per_period if old else None,
            new.amount_per_period if new.is_recurring else None))
    for olds in old_by_key.values():
        shown += [UpliftLine(old.product.name, old.billing_period, old.quantity, None,
                             old.list_unit_price, None, old.amount_per_period, None)
                  for old in olds]
    return RenewalDocument(renewal, contract, contract.currency, quote.start_on,
                           contract.uplift_percent, shown)
