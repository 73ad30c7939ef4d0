"""Writing many schedule lines at once.

Schedules are the widest write of revrec (12 lines a year per obligation: 1.2 million rows for
100,000 yearly subscriptions). On PostgreSQL they go in with COPY (about ten times the rate of
`bulk_create`, which builds a model instance and SQL parameters per row); elsewhere (SQLite)
with `bulk_create`. Either way, one statement stream inside the caller's transaction.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import connection

from revrec.models import ScheduleLine

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
