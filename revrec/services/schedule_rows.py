"""Writing many schedule lines at once, and the lines deliveries add.

Schedules are the widest write of revrec (12 lines a year per obligation: 1.2 million rows for
100,000 yearly subscriptions). On PostgreSQL they go in with COPY (about ten times the rate of
`bulk_create`, which builds a model instance and SQL parameters per row); elsewhere (SQLite)
with `bulk_create`. Either way, one statement stream inside the caller's transaction.

A point-in-time obligation on an order earns as its units are delivered (IFRS 15 IE Example 5,
IE19-IE20: control of each product passes on its delivery): `delivery_lines` gives the
recognition run each month's line, what the deliveries up to the month's end earned
(`revrec.delivery.earned`, across a 15.21(a) modification too) less what is scheduled
already, dated on the month's last delivery. A delivery recorded late for a month already
recognized is caught up in the next.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import connection

from core.dates import month_start
from revrec.delivery import earned
from revrec.models import ObligationStatus, Pattern, PerformanceObligation, ScheduleLine
from revrec.selectors import deliveries

ZERO = Decimal(0)

Row = tuple[int, date, date, date, Decimal]  # obligation pk, month, start, end, amount
COLUMNS = ("obligation_id", "month", "start_on", "end_on", "amount")
BATCH_SIZE = 5000  # bulk_create rows per INSERT off PostgreSQL


def insert_schedule_rows(rows: Sequence[Row]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = ScheduleLine._meta.db_table
        with connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    ScheduleLine.objects.bulk_create(
        [ScheduleLine(obligation_id=o, month=m, start_on=s, end_on=e, amount=a)
         for o, m, s, e, a in rows], batch_size=BATCH_SIZE)


def delivery_lines(revenue_contract_ids, *, through: date) -> list[ScheduleLine]:
    """For the open point-in-time obligations of these revenue contracts whose line is on an
    order: a line in `through`'s month for what the units delivered up to `through` earned
    beyond what is scheduled (none when the month has its line already); three queries. The
    ids are a list or a queryset of ids."""
    obligations = list(PerformanceObligation.objects.filter(
        revenue_contract_id__in=revenue_contract_ids, pattern=Pattern.POINT_IN_TIME,
        status=ObligationStatus.OPEN).order_by().values_list(
        "pk", "contract_line_id", "allocated", "revenue_contract__currency", "units_before",
        "earned_before"))
    if not obligations:
        return []
    delivered = deliveries([line_id for _, line_id, *_ in obligations], through=through)
    month = month_start(through)
    scheduled: dict[int, Decimal] = {}
    has_month = set()
    for pk, line_month, amount in ScheduleLine.objects.filter(
            obligation_id__in=[pk for pk, *_ in obligations]).order_by().values_list(
            "obligation_id", "month", "amount"):
        scheduled[pk] = scheduled.get(pk, ZERO) + amount
        if line_month == month:
            has_month.add(pk)
    lines = []
    for pk, line_id, allocated, currency, units_before, earned_before in obligations:
        found = delivered.get(line_id)
        if found is None or pk in has_month:
            continue
        change = earned(allocated, currency, ordered=found.ordered, delivered=found.delivered,
                        units_before=units_before,
                        earned_before=earned_before) - scheduled.get(pk, ZERO)
        if change:
            day = found.last_on if found.last_on and found.last_on >= month else month
            lines.append(ScheduleLine(obligation_id=pk, month=month, start_on=day, end_on=day,
                                      amount=change))
    return lines
