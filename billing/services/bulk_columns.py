"""Writing issue-time columns of many billing rows in one statement with one parameter per column.

`core.bulk_rows.update_columns` sends `UPDATE ... FROM (VALUES ...)` with a parameter per row and
column: at 2,000 invoices and 16 columns that is 34,000 placeholders, which the driver scans and
quotes in Python (a fifth of issuing, measured). Here each column travels as one array and the
rows are rebuilt by `unnest` on the server, so the driver adapts a handful of lists. PostgreSQL
only; elsewhere (SQLite, tests) it is `update_columns`.
"""

import json
from collections.abc import Sequence

from django.db import connection
from django.db.models import JSONField

from core.bulk_rows import update_columns


def _column(field, objects) -> tuple[str, list]:
    """The array's SQL type and the column's values, as the database holds them."""
    if isinstance(field, JSONField):
        return "text[]", [None if (v := getattr(o, field.attname)) is None
                          else json.dumps(v, cls=field.encoder) for o in objects]
    return f"{field.db_type(connection)}[]", [
        field.get_db_prep_save(getattr(o, field.attname), connection) for o in objects]


def write_columns(model, objects: Sequence, fields: Sequence[str]) -> None:
    """Write `fields` of each object to its row (by primary key), one statement."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        update_columns(model, objects, fields)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    typed = [_column(field, objects) for field in columns]
    names = ", ".join(quote(field.column) for field in columns)
    arrays = ", ".join(f"%s::{kind}" for kind, _ in typed)
    sets = ", ".join(
        f"{quote(f.column)} = v.{quote(f.column)}" + ("::jsonb" if isinstance(f, JSONField)
                                                      else "") for f in columns[1:])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) "
                       f"WHERE {table}.{pk} = v.{pk}", [values for _, values in typed])
