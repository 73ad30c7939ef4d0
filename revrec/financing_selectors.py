"""The questions of the financing page (IFRS 15.60-65): the financing components on record with
the interest recognized to date and what remains, and one component's schedule by month."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from core.money import round_money
from revrec.models import FinancingComponent, FinancingKind, InterestLine

ZERO = Decimal(0)


def financing_components() -> QuerySet[FinancingComponent]:
    """Every financing component (the page is for finance and accountants, who see all revenue
    contracts), newest first, with its revenue contract, customer and goods, and the interest
    its lines recognized so far (`recognized_sum`, not rounded: see `with_progress`)."""
    return (FinancingComponent.objects
            .select_related("obligation__revenue_contract__account", "obligation__product",
                            "recorded_by")
            .annotate(recognized_sum=Sum("interest_lines__amount",
                                         filter=Q(interest_lines__run__isnull=False)))
            .order_by("-recorded_on", "-pk"))


def with_progress(components) -> list[FinancingComponent]:
    """Each component with `currency`, `recognized` (its interest lines posted by a run, rounded
    to the currency: SQLite sums decimals in floating point) and `remaining`."""
    components = list(components)
    for component in components:
        component.currency = component.obligation.revenue_contract.currency
        component.recognized = round_money(component.recognized_sum or ZERO, component.currency)
        component.remaining = component.interest - component.recognized
    return components


def financing_component_for_detail(pk: int) -> FinancingComponent:
    return with_progress([get_object_or_404(financing_components(), pk=pk)])[0]


@dataclass
class ScheduleMonth:
    """One month of a component's schedule: its interest expense (on advances) and income (on
    amounts due), and the run that posted them (None: still to come)."""

    month: date
    expense: Decimal = ZERO
    income: Decimal = ZERO
    runs: set = field(default_factory=set)

    @property
    def posted_in(self) -> date | None:
        return min(self.runs) if self.runs else None


def schedule_of(component: FinancingComponent) -> list[ScheduleMonth]:
    """The component's interest by month (one query), expense and income side by side."""
    months: dict[date, ScheduleMonth] = {}
    for month, kind, amount, run_month in (InterestLine.objects.filter(component=component)
                                           .order_by("month", "kind")
                                           .values_list("month", "kind", "amount", "run__month")):
        row = months.setdefault(month, ScheduleMonth(month))
        if kind == FinancingKind.ADVANCE:
            row.expense += amount
        else:
            row.income += amount
        if run_month is not None:
            row.runs.add(run_month)
    return list(months.values())


def totals_of(schedule: list[ScheduleMonth]) -> dict[str, Decimal]:
    """Expense and income over the schedule, and what of them was posted."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in schedule:
        totals["expense"] += row.expense
        totals["income"] += row.income
        if row.posted_in is not None:
            totals["expense_posted"] += row.expense
            totals["income_posted"] += row.income
    return dict(totals)
