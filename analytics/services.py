"""Keeping the analytics snapshots: set-based reads of the contract lines, bulk writes."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from analytics.models import MrrSnapshot
from contracts.models import ContractLine
from core.dates import add_months, business_date, month_start
from core.money import round_money
from ledger.period_rules import month_end

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "annual": 12}
SNAPSHOT_MONTHS = 25  # two years of movements need the month before them too


def recurring_revenue_on(day: date) -> dict[tuple[int, str], tuple[int, Decimal]]:
    """{(account id, currency): (account owner id, MRR)} of the contract lines in force on `day`.

    A recurring line counts from its start to its end date once its contract has been
    activated; its MRR is its net amount per billing period over the period's months, rounded
    to the currency once per account (after adding the lines)."""
    rows = (ContractLine.objects
            .filter(start_on__lte=day, end_on__gte=day, contract__activated_on__lte=day,
                    billing_period__in=MONTHS_PER_PERIOD)
            .values("contract__account", "contract__account__owner", "contract__currency",
                    "billing_period")
            .annotate(amount=Sum("amount_per_period")).order_by())
    exact: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    owners: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row["contract__account"], row["contract__currency"])
        exact[key] += Decimal(row["amount"]) / MONTHS_PER_PERIOD[row["billing_period"]]
        owners[key] = row["contract__account__owner"]
    return {key: (owners[key], round_money(amount, key[1])) for key, amount in exact.items()}


@transaction.atomic
def refresh_mrr_snapshots(*, on: date | None = None, months: int = SNAPSHOT_MONTHS) -> int:
    """Rebuild the MRR snapshots of the last `months` months up to `on`'s month (the current
    month as of `on`); returns the rows written. Running it twice writes the same rows."""
    last = month_start(business_date(on))
    firsts = [add_months(last, -offset) for offset in range(months - 1, -1, -1)]
    previous = recurring_revenue_on(month_end(add_months(firsts[0], -1)))
    rows = []
    for first in firsts:
        as_of = min(month_end(first), business_date(on)) if first == last else month_end(first)
        current = recurring_revenue_on(as_of)
        for key in current.keys() | previous.keys():
            owner, mrr = current.get(key) or (previous[key][0], Decimal("0"))
            rows.append(MrrSnapshot(month=first, account_id=key[0], currency=key[1],
                                    owner_id=owner, mrr=mrr,
                                    previous_mrr=previous.get(key, (owner, Decimal("0")))[1]))
        previous = current
    MrrSnapshot.objects.filter(month__gte=firsts[0], month__lte=last).delete()
    MrrSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
