"""AR aging: what is unpaid, by account and currency, in buckets by each instalment's due
date, from two aggregate queries (instalments, and invoices without a schedule).

Settled money (total less amount due) pays the instalments in due-date order
(payments.due_position), so an instalment's unpaid part is
    min(amount, max(0, cumulative amount up to it − settled))
computed in SQL with a correlated subquery for the cumulative sum. Amounts are in each
invoice's currency; every sum is rounded to its currency (SQLite sums decimals as floats).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

from billing.models import DueInstalment, Invoice
from billing.models.invoices import OPEN_STATES
from core.money import round_money
from customers.models import Account
from ledger.selectors import receivable_balances

ZERO = Decimal("0")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
LABELS = {"current": "Current", "days_1_30": "1–30", "days_31_60": "31–60",
          "days_61_90": "61–90", "over_90": "Over 90"}
MONEY = DecimalField(max_digits=19, decimal_places=4)


@dataclass
class AgingRow:
    account_id: int
    account_name: str
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def cells(self) -> list[Decimal]:
        return [self.buckets[b] for b in BUCKETS]


@dataclass
class Aging:
    as_of: date
    rows: list[AgingRow]

    def totals(self) -> list[AgingRow]:
        """One row per currency (amounts in different currencies never add up)."""
        by_currency: dict[str, AgingRow] = {}
        for row in self.rows:
            total = by_currency.setdefault(row.currency, AgingRow(0, "Total", row.currency))
            for bucket in BUCKETS:
                total.buckets[bucket] += row.buckets[bucket]
        return [by_currency[c] for c in sorted(by_currency)]


def _bucketed(due_on: str, amount, as_of: date) -> dict:
    """Sum(amount) per bucket of days past `due_on`."""
    edges = {"current": Q(**{f"{due_on}__gte": as_of}),
             "days_1_30": Q(**{f"{due_on}__lt": as_of,
                               f"{due_on}__gte": as_of - timedelta(days=30)}),
             "days_31_60": Q(**{f"{due_on}__lt": as_of - timedelta(days=30),
                                f"{due_on}__gte": as_of - timedelta(days=60)}),
             "days_61_90": Q(**{f"{due_on}__lt": as_of - timedelta(days=60),
                                f"{due_on}__gte": as_of - timedelta(days=90)}),
             "over_90": Q(**{f"{due_on}__lt": as_of - timedelta(days=90)})}
    return {bucket: Sum(Case(When(condition, then=amount), default=Value(ZERO),
                             output_field=MONEY))
            for bucket, condition in edges.items()}


def _scheduled(invoices: QuerySet, as_of: date):
    cumulative = Subquery(
        DueInstalment.objects.filter(invoice=OuterRef("invoice"),
                                     sequence__lte=OuterRef("sequence"))
        .order_by().values("invoice").annotate(s=Sum("amount")).values("s"),
        output_field=MONEY)
    settled = F("invoice__total") - F("invoice__amount_due")
    unpaid = Least(F("amount"), Greatest(Coalesce(cumulative, Value(ZERO)) - settled,
                                         Value(ZERO), output_field=MONEY), output_field=MONEY)
    return (DueInstalment.objects.filter(invoice__in=invoices).order_by()
            .values("invoice__account_id", "invoice__currency")
            .annotate(**_bucketed("due_on", unpaid, as_of)))


def _unscheduled(invoices: QuerySet, as_of: date):
    return (invoices.filter(instalments__isnull=True).order_by()
            .values("account_id", "currency").annotate(**_bucketed("due_on", F("amount_due"),
                                                                    as_of)))


def open_invoices(accounts: QuerySet[Account] | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(state__in=OPEN_STATES, amount_due__gt=0)
    return invoices if accounts is None else invoices.filter(account__in=accounts)


def ar_aging(*, as_of: date, accounts: QuerySet[Account] | None = None,
             currency: str = "") -> Aging:
    """Unpaid amounts by account and currency in aging buckets, as of a date (three queries)."""
    invoices = open_invoices(accounts)
    if currency:
        invoices = invoices.filter(currency=currency.upper())
    rows: dict[tuple[int, str], AgingRow] = {}
    sums = defaultdict(lambda: defaultdict(lambda: ZERO))
    for values in _scheduled(invoices, as_of):
        key = (values["invoice__account_id"], values["invoice__currency"])
        for bucket in BUCKETS:
            sums[key][bucket] += values[bucket] or ZERO
    for values in _unscheduled(invoices, as_of):
        key = (values["account_id"], values["currency"])
        for bucket in BUCKETS:
            sums[key][bucket] += values[bucket] or ZERO
    names = dict(Account.objects.filter(pk__in={k[0] for k in sums}).values_list("pk", "name"))
    for (account_id, code), buckets in sums.items():
        row = AgingRow(account_id, names[account_id], code)
        row.buckets = {b: round_money(buckets[b], code) for b in BUCKETS}
        if row.total:
            rows[(account_id, code)] = row
    ordered = sorted(rows.values(), key=lambda r: (r.currency, r.account_name.lower(),
                                                   r.account_id))
    return Aging(as_of, ordered)


@dataclass(frozen=True)
class Dso:
    start: date
    end: date
    currency: str
    receivable: Decimal
    billed: Decimal

    @property
    def days(self) -> Decimal | None:
        """Days sales outstanding: receivable at the end ÷ billed in the period × its days."""
        if not self.billed:
            return None
        length = (self.end - self.start).days + 1
        return (self.receivable / self.billed * length).quantize(Decimal("0.1"))


def dso(*, start: date, end: date) -> Dso:
    """DSO in the functional currency: the open receivable (ledger) at the end of the period
    against what was invoiced (functional totals) during it."""
    currency = settings.FUNCTIONAL_CURRENCY
    billed = (Invoice.objects.filter(issue_on__range=(start, end))
              .exclude(state__in=["draft", "void"]).aggregate(s=Sum("functional_total"))["s"])
    balances = receivable_balances(as_of=end)
    receivable = sum((b.functional for b in balances.values()), ZERO) if balances else ZERO
    return Dso(start, end, currency, round_money(receivable, currency),
               round_money(billed or ZERO, currency))
