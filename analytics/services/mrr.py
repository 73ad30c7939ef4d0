"""MRR snapshots: each account's MRR at each month's end (set-based reads of the contract
lines, bulk writes), then their sums per month, owner and currency (aggregate queries)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least

from analytics.models import MrrMonth, MrrSnapshot
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
    return len(rows) + summarize_mrr_months(firsts, as_of=business_date(on))


def _round(row: dict, names, currency: str) -> dict:
    # SQLite sums decimals as floats: every sum rounded to its currency.
    return {name: round_money(row[name] or 0, currency) for name in names}


MOVEMENTS = ("opening", "closing", "new", "expansion", "contraction", "churn")
RETENTION = ("year_ago", "retained", "retained_capped")


def summarize_mrr_months(firsts: list[date], *, as_of: date) -> int:
    """Rebuild the `MrrMonth` rows of the months `firsts` from the account snapshots: one
    grouped query for the movements, one per month for the retention against a year before."""
    current, previous = F("mrr"), F("previous_mrr")
    movements = (MrrSnapshot.objects.filter(month__in=firsts)
                 .values("month", "owner", "currency")
                 .annotate(opening=Sum(previous), closing=Sum(current),
                           new=Sum(current, filter=Q(previous_mrr=0, mrr__gt=0)),
                           churn=Sum(previous, filter=Q(mrr=0, previous_mrr__gt=0)),
                           expansion=Sum(current - previous,
                                         filter=Q(previous_mrr__gt=0, mrr__gt=previous)),
                           contraction=Sum(previous - current,
                                           filter=Q(mrr__gt=0, mrr__lt=previous)),
                           accounts=Count("pk", filter=Q(mrr__gt=0)),
                           churned_accounts=Count("pk", filter=Q(mrr=0, previous_mrr__gt=0)))
                 .order_by())
    rows: dict[tuple, MrrMonth] = {}

    def row(month, owner, currency) -> MrrMonth:
        key = (month, owner, currency)
        if key not in rows:
            rows[key] = MrrMonth(month=month, owner_id=owner, currency=currency,
                                 as_of=min(month_end(month), as_of))
        return rows[key]

    for values in movements:
        one = row(values["month"], values["owner"], values["currency"])
        for name, amount in _round(values, MOVEMENTS, values["currency"]).items():
            setattr(one, name, amount)
        one.accounts, one.churned_accounts = values["accounts"], values["churned_accounts"]
    for first in firsts:
        now = (MrrSnapshot.objects.filter(month=first, account=OuterRef("account"),
                                          currency=OuterRef("currency")).values("mrr")[:1])
        retention = (MrrSnapshot.objects.filter(month=add_months(first, -12), mrr__gt=0)
                     .annotate(now=Coalesce(Subquery(now), Value(Decimal("0"))))
                     .values("owner", "currency")
                     .annotate(year_ago=Sum("mrr"), retained=Sum("now"),
                               retained_capped=Sum(Least("now", "mrr")))
                     .order_by())
        for values in retention:
            one = row(first, values["owner"], values["currency"])
            for name, amount in _round(values, RETENTION, values["currency"]).items():
                setattr(one, name, amount)
    MrrMonth.objects.filter(month__in=firsts).delete()
    MrrMonth.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)
