"""Gapless document numbers.

The series' row is advanced by one `UPDATE ... RETURNING`, which locks it for the rest of the
caller's transaction: a rolled-back document gives its number back, and two writers never get
the same one. One statement, where a locked read and a save took two round trips per series
(an invoice issued alone takes two series, issue 23).
"""

from django.db import connection, transaction

from core.models import NumberSequence


def _advanced(key: str, count: int) -> int | None:
    """The series' last value once advanced by `count` (None if the series does not exist)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(NumberSequence._meta.db_table)} SET last_value = "
                       f"last_value + %s WHERE {quote('key')} = %s RETURNING last_value",
                       [count, key])
        row = cursor.fetchone()
    return None if row is None else row[0]


@transaction.atomic(savepoint=False)  # no savepoint: a failure here fails the caller
def next_numbers(key: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers of the series `key` in the caller's transaction."""
    last = _advanced(key, count)
    if last is None:  # the series' first number: another transaction may create it first
        NumberSequence.objects.bulk_create([NumberSequence(key=key)], ignore_conflicts=True)
        last = _advanced(key, count)
    return range(last - count + 1, last + 1)


def next_number(key: str) -> int:
    return next_numbers(key, 1)[0]
