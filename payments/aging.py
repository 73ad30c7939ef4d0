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


def late_charges_by_age(*, as_of: date, by: tuple[str, ...], functional: bool = False,
                        accounts: QuerySet[Account] | None = None, currency: str = ""
                        ) -> dict[tuple, dict[str, Decimal]]:
    """The unpaid late charges issued by `as_of` per group of the late-charge fields `by`, in
    the shape of billing.selectors.open_amounts_by_age: the aging buckets plus "not_due"
    (nothing: a late charge is due the day it is issued). Raw sums, in the document currency
    or the functional one at the booked rate. One query, a row per group and issue date."""
    charges = LateCharge.objects.filter(state=LateChargeState.ISSUED, amount_due__gt=0,
                                        issue_on__lte=as_of)
    if accounts is not None:
        charges = charges.filter(account__in=accounts)
    if currency:
        charges = charges.filter(currency=currency.upper())
    amount = F("amount_due") * F("fx_rate") if functional else F("amount_due")
    groups: dict[tuple, dict[str, Decimal]] = {}
    for row in charges.order_by().values(*by, "issue_on").annotate(due=Sum(amount)):
        sums = groups.setdefault(tuple(row[name] for name in by),
                                 dict.fromkeys(("not_due", *BUCKET_NAMES), ZERO))
        sums[bucket_of((as_of - row["issue_on"]).days).name] += row["due"]
    return groups


def receivables_by_age(*, as_of: date, by: tuple[str, ...], functional: bool = False,
                       accounts: QuerySet[Account] | None = None, currency: str = ""
                       ) -> dict[tuple, dict[str, Decimal]]:
    """What was owed on `as_of` per group of `by` (fields invoices and late charges share,
    e.g. ("account_id", "currency")) in the aging buckets plus "not_due": the invoices issued
    by then at their instalments' ages, and the unpaid late charges. Raw sums (three
    queries): the one definition the aging page, the home's open receivables and analytics'
    snapshots add up."""
    invoices = open_invoices(accounts).filter(issue_on__lte=as_of)
    if currency:
        invoices = invoices.filter(currency=currency.upper())
    groups = open_amounts_by_age(invoices, as_of=as_of, by=by, functional=functional)
    for key, late in late_charges_by_age(as_of=as_of, by=by, functional=functional,
                                         accounts=accounts, currency=currency).items():
        sums = groups.setdefault(key, dict.fromkeys(late, ZERO))
        for name, amount in late.items():
            sums[name] = sums.get(name, ZERO) + amount
    return groups


def ar_aging(*, as_of: date, accounts: QuerySet[Account] | None = None,
             currency: str = "") -> Aging:
    """Unpaid invoices and late charges by account and currency in aging buckets, as of a date
    (four queries)."""
    rows: dict[tuple[int, str], AgingRow] = {}
    sums = receivables_by_age(as_of=as_of, by=("account_id", "currency"), accounts=accounts,
                              currency=currency)
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
    groups = receivables_by_age(as_of=as_of, by=("currency",), functional=True,
                                accounts=accounts)
    owed = sum((buckets[name] for buckets in groups.values() for name in BUCKET_NAMES), ZERO)
    return round_money(owed, settings.FUNCTIONAL_CURRENCY)


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
