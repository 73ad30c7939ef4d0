"""Inserting many rows given as tuples, without a model instance per row.

`core.bulk_rows.insert_rows` takes model instances: building them costs about as much as the
COPY that writes them (a recognition run of 10,000 contracts built 60,000 journal entries and
lines only to write them). Bulk paths that already hold plain values hand them here as tuples
in the order of `fields`; on PostgreSQL the ids come from the table's sequence in one query and
the rows go in by COPY, elsewhere (SQLite) by `bulk_create`.
"""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


def insert_tuples(model, fields: Sequence[str], rows: Sequence[tuple]) -> list[int]:
    """Insert `rows` (values of `fields` by attribute name, e.g. `entry_id`, ready for their
    columns: amounts rounded, no defaults filled in) and return their new ids, in order."""
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    if db.vendor != "postgresql":
        made = model.objects.bulk_create([model(**dict(zip(fields, row, strict=True)))
                                          for row in rows])
        return [obj.pk for obj in made]
    quote = db.ops.quote_name
    columns = ", ".join(quote(column) for column in
                        [meta.pk.column, *(meta.get_field(name).column for name in fields)])
    with db.cursor() as cursor:
        # one array, not a result row per id
        cursor.execute("SELECT array_agg(nextval(pg_get_serial_sequence(%s, %s))) "
                       "FROM generate_series(1, %s)", [meta.db_table, meta.pk.column, len(rows)])
        ids = cursor.fetchone()[0]
        # errors come out as Django's (IntegrityError, ...), as the ORM's do
        with db.wrap_database_errors, cursor.cursor.copy(
                f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids
