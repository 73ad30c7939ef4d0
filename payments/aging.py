"""AR aging: what is unpaid, by account and currency, in the buckets of billing.aging by each
instalment's due date (billing.selectors.open_amounts_by_age) and each unpaid late charge's
issue date (a late charge is due when issued; it is in the ledger's receivable as the invoices
are), and DSO over a period. Amounts are in each document's currency, rounded to it (SQLite
sums decimals as floats).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import F, QuerySet, Sum

from billing.aging import BUCKET_NAMES, bucket_of, days_sales_outstanding
from billing.models import Invoice, InvoiceState
from billing.selectors import open_amounts_by_age, open_invoices
from core.money import round_money
from customers.models import Account
from ledger.selectors import receivable_balances
from payments.models import LateCharge, LateChargeState

ZERO = Decimal("0")


@dataclass
class AgingRow:
    account_id: int
    account_name: str
    currency: str
    buckets: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(BUCKET_NAMES, ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def cells(self) -> list[Decimal]:
        return [self.buckets[b] for b in BUCKET_NAMES]


@dataclass
class Aging:
    as_of: date
    rows: list[AgingRow]

    def totals(self) -> list[AgingRow]:
        """One row per currency (amounts in different currencies never add up)."""
        by_currency: dict[str, AgingRow] = {}
        for row in self.rows:
            total = by_currency.setdefault(row.currency, AgingRow(0, "Total", row.currency))
            for bucket in BUCKET_NAMES:
                total.buckets[bucket] += row.buckets[bucket]
        return [by_currency[c] for c in sorted(by_currency)]


def _late_charges_by_age(as_of: date, accounts: QuerySet[Account] | None, currency: str,
                         sums: dict[tuple, dict[str, Decimal]]) -> None:
    """Add the unpaid late charges to `sums`, each aged from its issue date (one query, a row
    per account, currency and issue date)."""
    charges = LateCharge.objects.filter(state=LateChargeState.ISSUED, amount_due__gt=0)
    if accounts is not None:
        charges = charges.filter(account__in=accounts)
    if currency:
        charges = charges.filter(currency=currency.upper())
    for account_id, code, issue_on, amount in (
            charges.order_by().values("account_id", "currency", "issue_on")
            .annotate(due=Sum("amount_due")).values_list("account_id", "currency", "issue_on",
                                                         "due")):
        buckets = sums.setdefault((account_id, code), dict.fromkeys(BUCKET_NAMES, ZERO))
        buckets[bucket_of((as_of - issue_on).days).name] += amount


def ar_aging(*, as_of: date, accounts: QuerySet[Account] | None = None,
             currency: str = "") -> Aging:
    """Unpaid invoices and late charges by account and currency in aging buckets, as of a date
    (four queries)."""
    invoices = open_invoices(accounts)
    if currency:
        invoices = invoices.filter(currency=currency.upper())
    rows: dict[tuple[int, str], AgingRow] = {}
    sums = open_amounts_by_age(invoices, as_of=as_of, by=("account_id", "currency"))
    _late_charges_by_age(as_of, accounts, currency, sums)
    names = dict(Account.objects.filter(pk__in={k[0] for k in sums}).values_list("pk", "name"))
    for (account_id, code), buckets in sums.items():
        row = AgingRow(account_id, names[account_id], code)
        row.buckets = {b: round_money(buckets[b], code) for b in BUCKET_NAMES}
        if row.total:
            rows[(account_id, code)] = row
    ordered = sorted(rows.values(), key=lambda r: (r.currency, r.account_name.lower(),
                                                   r.account_id))
    return Aging(as_of, ordered)


def open_receivables(*, as_of: date, accounts: QuerySet[Account] | None = None) -> Decimal:
    """What ar_aging adds up, in the functional currency at the rates the documents were
    booked at: every open invoice's unpaid amount and every unpaid late charge (three
    queries). The one figure of open receivables a page shows."""
    groups = open_amounts_by_age(open_invoices(accounts), as_of=as_of, by=("currency",),
                                 functional=True)
    invoices = sum((buckets[name] for buckets in groups.values() for name in BUCKET_NAMES), ZERO)
    charges = LateCharge.objects.filter(state=LateChargeState.ISSUED, amount_due__gt=0)
    if accounts is not None:
        charges = charges.filter(account__in=accounts)
    late = charges.aggregate(s=Sum(F("amount_due") * F("fx_rate")))["s"] or ZERO
    return round_money(invoices + late, settings.FUNCTIONAL_CURRENCY)


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
        return days_sales_outstanding(self.receivable, self.billed,
                                      (self.end - self.start).days + 1)


def dso(*, start: date, end: date) -> Dso:
    """DSO in the functional currency: the open receivable (ledger) at the end of the period
    against what was invoiced (functional totals) during it."""
    currency = settings.FUNCTIONAL_CURRENCY
    billed = (Invoice.objects.filter(issue_on__range=(start, end))
              .exclude(state__in=[InvoiceState.DRAFT, InvoiceState.VOID])
              .aggregate(s=Sum("functional_total"))["s"])
    balances = receivable_balances(as_of=end)
    receivable = sum((b.functional for b in balances.values()), ZERO) if balances else ZERO
    return Dso(start, end, currency, round_money(receivable, currency),
               round_money(billed or ZERO, currency))
