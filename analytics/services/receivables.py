"""Receivable snapshots: per month, owner and currency, what was billed, the receivables
ledger's balance at the month's end, and what was open then by days past due, as the aging
report (payments.aging) counts it: each instalment of an open invoice by its own due date and
each unpaid late charge by its issue date. Aggregate queries (one for the ledger, one for
billing, three per month for the aging), one bulk write."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth

from analytics.models import AGING_FIELDS, ReceivableMonth
from billing.models import Invoice, InvoiceState
from core.dates import add_months, business_date, month_start
from core.money import round_money
from ledger import chart
from ledger.models import JournalLine
from ledger.period_rules import month_end
from payments.aging import receivables_by_age

BILLED_STATES = [InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID,
                 InvoiceState.UNCOLLECTIBLE]
AMOUNTS = ("billed", "receivable", "not_due", *AGING_FIELDS)
OWNER_CURRENCY = ("account__owner", "currency")  # what a snapshot row is per month


def _receivable_movements(up_to: date):
    """Receivables ledger movement per owner, document currency and month posted."""
    currency = Coalesce(NullIf("document_currency", Value("")),
                        Value(settings.FUNCTIONAL_CURRENCY))
    return (JournalLine.objects
            .filter(gl_account__code=chart.ACCOUNTS_RECEIVABLE, customer_account__isnull=False,
                    entry__posted_on__lte=up_to)
            .annotate(doc_currency=currency, posted=TruncMonth("entry__posted_on"))
            .values("customer_account__owner", "doc_currency", "posted")
            .annotate(amount=Sum(F("debit") - F("credit"))).order_by())


@transaction.atomic
def refresh_receivable_months(*, on: date | None = None, months: int = 25) -> int:
    """Rebuild the `ReceivableMonth` rows of the last `months` months up to `on`'s month (the
    current one as of `on`); returns the rows written. Idempotent."""
    today = business_date(on)
    last = month_start(today)
    firsts = [add_months(last, -offset) for offset in range(months - 1, -1, -1)]
    as_of = {first: min(month_end(first), today) for first in firsts}
    functional = settings.FUNCTIONAL_CURRENCY
    sums: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(AMOUNTS,
                                                                              Decimal("0")))
    # The ledger balance at each month's end: the movements of every month up to it.
    moved: dict[tuple, dict[date, Decimal]] = defaultdict(dict)
    for row in _receivable_movements(today):
        moved[(row["customer_account__owner"], row["doc_currency"])][row["posted"]] = (
            round_money(row["amount"] or 0, functional))
    for (owner, currency), by_month in moved.items():
        for first in firsts:
            balance = sum((amount for posted, amount in by_month.items() if posted <= first),
                          Decimal("0"))
            if balance:
                sums[(first, owner, currency)]["receivable"] = balance
    billed = (Invoice.objects.filter(state__in=BILLED_STATES, issue_on__gte=firsts[0],
                                     issue_on__lte=today)
              .annotate(issued=TruncMonth("issue_on"))
              .values("issued", "account__owner", "currency")
              .annotate(total=Sum("functional_total")).order_by())
    for row in billed:
        key = (row["issued"], row["account__owner"], row["currency"])
        sums[key]["billed"] = round_money(row["total"] or 0, functional)
    for first in firsts:
        aging = receivables_by_age(as_of=as_of[first], by=OWNER_CURRENCY, functional=True)
        for (owner, currency), aged in aging.items():
            amounts = sums[(first, owner, currency)]
            for name in ("not_due", *AGING_FIELDS):
                amounts[name] = round_money(aged[name], functional)
    rows = [ReceivableMonth(month=month, owner_id=owner, currency=currency, as_of=as_of[month],
                            **amounts)
            for (month, owner, currency), amounts in sums.items()]
    ReceivableMonth.objects.filter(month__in=firsts).delete()
    ReceivableMonth.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
