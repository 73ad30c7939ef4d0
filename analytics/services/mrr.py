"""MRR snapshots: each account's MRR at each month's end (INSERT ... SELECT over the contract
lines), then their sums per month, owner and currency (aggregate queries, one bulk write)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from analytics.models import MrrMonth, MrrSnapshot
from contracts.models import ContractLine
from core.dates import add_months, business_date, month_start
from core.money import minor_units, round_money
from ledger.period_rules import month_end

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "annual": 12}
SNAPSHOT_MONTHS = 25  # two years of movements need the month before them too


def _snapshot_sql() -> str:
    """One month's account snapshots in one INSERT ... SELECT: per account and currency, the
    MRR of the contract lines in force on the month's day (`as_of`) and on the previous
    month's (`before`). A recurring line counts from its start to its end date once its
    contract has been activated; its MRR is its net amount per billing period over the
    period's months, rounded to the currency once per account (after adding the lines)."""
    snapshot, line = MrrSnapshot._meta.db_table, ContractLine._meta.db_table
    contract = ContractLine._meta.get_field("contract").related_model
    account = contract._meta.get_field("account").related_model
    months = " ".join(f"WHEN '{period}' THEN {count}"
                      for period, count in MONTHS_PER_PERIOD.items())
    places = " ".join(f"WHEN '{code}' THEN {minor_units(code)}"
                      for code in sorted(settings.CURRENCIES) if minor_units(code) != 2)
    in_force = ("l.start_on <= {day} AND l.end_on >= {day} AND c.activated_on IS NOT NULL "
                "AND c.activated_on <= {day}")
    now, then = in_force.format(day="%(as_of)s"), in_force.format(day="%(before)s")
    monthly = f"l.amount_per_period * 1.0 / CASE l.billing_period {months} END"
    return f"""
        INSERT INTO {snapshot} (month, account_id, owner_id, currency, mrr, previous_mrr)
        SELECT %(month)s, c.account_id, a.owner_id, c.currency,
               ROUND(SUM(CASE WHEN {now} THEN {monthly} ELSE 0 END),
                     CASE c.currency {places} ELSE 2 END),
               ROUND(SUM(CASE WHEN {then} THEN {monthly} ELSE 0 END),
                     CASE c.currency {places} ELSE 2 END)
        FROM {line} l
        JOIN {contract._meta.db_table} c ON c.id = l.contract_id
        JOIN {account._meta.db_table} a ON a.id = c.account_id
        WHERE l.billing_period IN ({", ".join(f"'{p}'" for p in MONTHS_PER_PERIOD)})
          AND (({now}) OR ({then}))
        GROUP BY c.account_id, a.owner_id, c.currency"""


@transaction.atomic
def refresh_mrr_snapshots(*, on: date | None = None, months: int = SNAPSHOT_MONTHS) -> int:
    """Rebuild the MRR snapshots of the last `months` months up to `on`'s month (the current
    month as of `on`: MRR on that day), one INSERT ... SELECT per month, then their monthly
    totals; returns the rows written. Running it twice writes the same rows."""
    today = business_date(on)
    last = month_start(today)
    firsts = [add_months(last, -offset) for offset in range(months - 1, -1, -1)]
    MrrSnapshot.objects.filter(month__gte=firsts[0], month__lte=last).delete()
    written, sql = 0, _snapshot_sql()
    with connection.cursor() as cursor:
        for first in firsts:
            cursor.execute(sql, {"month": first, "as_of": min(month_end(first), today),
                                 "before": month_end(add_months(first, -1))})
            written += cursor.rowcount
    return written + summarize_mrr_months(firsts, as_of=today)


def _round(row: dict, names, currency: str) -> dict:
    # SQLite sums decimals as floats: every sum rounded to its currency.
    return {name: round_money(row[name] or 0, currency) for name in names}


MOVEMENTS = ("opening", "closing", "new", "expansion", "contraction", "churn")
RETENTION = ("year_ago", "retained", "retained_capped")


def _retention_sql() -> str:
    """A month's retention per owner and currency: the accounts with MRR a year before
    (`year_ago`), their MRR then, now (`now`; none: churned) and now capped at then. The
    snapshots of the two months joined on the unique (month, account, currency): a lookup per
    account, not a subquery per row scanning the month's snapshots."""
    snapshot = MrrSnapshot._meta.db_table
    now = "COALESCE(b.mrr, 0)"
    return f"""
        SELECT a.owner_id, a.currency, SUM(a.mrr), SUM({now}),
               SUM(CASE WHEN {now} < a.mrr THEN {now} ELSE a.mrr END)
        FROM {snapshot} a
        LEFT JOIN {snapshot} b ON b.month = %(now)s AND b.account_id = a.account_id
                              AND b.currency = a.currency
        WHERE a.month = %(year_ago)s AND a.mrr > 0
        GROUP BY a.owner_id, a.currency"""


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
    retention_sql = _retention_sql()
    with connection.cursor() as cursor:
        for first in firsts:
            cursor.execute(retention_sql, {"year_ago": add_months(first, -12), "now": first})
            for owner, currency, *amounts in cursor.fetchall():
                one = row(first, owner, currency)
                # a raw cursor on SQLite answers floats: through str, not their binary value
                sums = {name: Decimal(str(amount)) for name, amount in zip(
                    RETENTION, amounts, strict=True)}
                for name, amount in _round(sums, RETENTION, currency).items():
                    setattr(one, name, amount)
    MrrMonth.objects.filter(month__in=firsts).delete()
    MrrMonth.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)
