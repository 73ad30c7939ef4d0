"""A lock on a named scope for the rest of the transaction ("one invoice run at a time"),
when no row exists yet to lock. PostgreSQL: a transaction-level advisory lock on the name's
hash; SQLite serializes writers anyway, so there is nothing to take."""

from django.db import connection


def lock_scope(name: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
