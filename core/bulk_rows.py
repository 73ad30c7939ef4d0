"""Writing different values into many rows in one statement.

Django's `bulk_update` builds a CASE expression per row and field and resolves each one in
Python (about a millisecond per row and field here), which is most of the time of issuing
100,000 invoices. On PostgreSQL `update_columns` sends one `UPDATE ... FROM unnest(...)`
instead, each column as one typed array (a parameter per row and column made the driver quote
tens of thousands of placeholders in Python: a fifth of issuing), and from `COPY_FROM` rows
stages them by COPY (the arrays' quoting is then the cost); elsewhere (SQLite, tests) it falls
back to `bulk_update`.
"""

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, FileField, JSONField, Lookup, Value
from django.db.models.expressions import DatabaseDefault
from django.db.models.lookups import In


def _array(field, objects) -> tuple[str, list]:
    """A column as one array parameter: its SQL array type and the values as the database
    holds them (JSON as text, cast back to jsonb in the statement)."""
    if isinstance(field, JSONField):
        return "text[]", [None if (v := getattr(o, field.attname)) is None
                          else json.dumps(v, cls=field.encoder) for o in objects]
    return f"{field.db_type(connection)}[]", [
        field.get_db_prep_save(getattr(o, field.attname), connection) for o in objects]


COPY_FROM = 500  # rows from which `update_columns` stages them by COPY
# Values COPY takes as they are (psycopg adapts them; a field's own preparation leaves them
# unchanged on PostgreSQL, Decimals included: Django 5.2 rounds none, the column does):
# preparing every value of 20 columns of 1,000 invoices cost a tenth of a second a chunk.
_AS_THEY_ARE = frozenset({str, int, bool, type(None), date, datetime, Decimal})


def update_columns(model, objects: Sequence, fields: Sequence[str], *,
                   only_where: dict | None = None) -> int:
    """Write `fields` of each object to its row (by primary key), in one statement; the
    number of rows written. `only_where` (a column's value by field name) writes only the
    rows that still hold it, like `filter(...).update(...)` (a guard against a concurrent
    change); elsewhere than PostgreSQL it is asked in a query of its own before the write."""
    if not objects:
        return 0
    if connection.vendor != "postgresql":
        return _bulk_update(model, objects, fields, only_where)
    guard, guard_params = _guard(model, only_where)
    if len(objects) >= COPY_FROM:
        return _update_by_copy(model, objects, fields, guard, guard_params)
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    typed = [_array(field, objects) for field in columns]
    names = ", ".join(quote(field.column) for field in columns)
    arrays = ", ".join(f"%s::{kind}" for kind, _ in typed)
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}"
                     + ("::jsonb" if isinstance(f, JSONField) else "") for f in columns[1:])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) "
                       f"WHERE {table}.{pk} = v.{pk}{guard}",
                       [*(values for _, values in typed), *guard_params])
        return cursor.rowcount


def _bulk_update(model, objects: Sequence, fields: Sequence[str], only_where: dict | None
                 ) -> int:
    """`update_columns` by the ORM (SQLite, tests): the guard is asked first, then the rows
    that pass it are written."""
    if only_where:
        still = set(model.objects.filter(pk__in=[o.pk for o in objects], **only_where)
                    .values_list("pk", flat=True))
        objects = [o for o in objects if o.pk in still]
    model.objects.bulk_update(objects, fields)
    return len(objects)


def _guard(model, only_where: dict | None) -> tuple[str, list]:
    """The SQL that keeps an update to the rows still holding `only_where`'s values."""
    if not only_where:
        return "", []
    meta, quote = model._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    fields = [meta.get_field(name) for name in only_where]
    return ("".join(f" AND {table}.{quote(f.column)} = %s" for f in fields),
            [f.get_db_prep_save(only_where[f.name], connection) for f in fields])


def _update_by_copy(model, objects: Sequence, fields: Sequence[str], guard: str,
                    guard_params: list) -> int:
    """`update_columns` for many rows: COPY them into a temporary table and UPDATE ... FROM it.
    The array parameters of the one-statement form are quoted element by element in Python
    (JSON columns a regex substitution per quote): about a quarter of issuing 100,000 invoices
    went on that (issue 23). Each row's values are read in one call and the JSON columns put
    last, so a plain value costs a type test, not a function call (a converter per cell was a
    quarter of the issue transition's CPU)."""
    meta = model._meta
    quote = connection.ops.quote_name
    chosen = [meta.get_field(name) for name in fields]
    plain = [meta.pk, *(f for f in chosen if not isinstance(f, JSONField))]
    as_json = [f for f in chosen if isinstance(f, JSONField)]
    read = attrgetter(*(f.attname for f in [*plain, *as_json]))
    dumps, split = [_copy_value(f) for f in as_json], len(plain)
    columns = ", ".join(quote(field.column) for field in [*plain, *as_json])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    staging = quote(f"staged_{meta.db_table}")
    sets = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in chosen)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                       f"SELECT {columns} FROM {table} WITH NO DATA")
        with connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                values = read(obj)
                copy.write_row([
                    *(value if type(value) in _AS_THEY_ARE
                      else field.get_db_prep_save(value, connection)
                      for field, value in zip(plain, values[:split], strict=True)),
                    *(dump(value) for dump, value in zip(dumps, values[split:], strict=True))])
        cursor.execute(f"UPDATE {table} SET {sets} FROM {staging} s WHERE {table}.{pk} = s.{pk}"
                       f"{guard}", guard_params)
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
    return written


def _copy_value(field):
    """How a field's Python value goes into COPY: psycopg adapts numbers, dates and text itself;
    JSON goes as its text."""
    if isinstance(field, JSONField):
        return lambda value: None if value is None else json.dumps(value, cls=field.encoder)
    if isinstance(field, FileField):
        return field.get_prep_value  # the file's name
    return lambda value: value


def _new_ids(db, meta, count: int) -> list[int]:
    """`count` ids from the table's sequence, in one query returning one array. The sequence
    is looked up once (OFFSET 0 keeps PostgreSQL from inlining the lookup into every row: 100k
    ids took 1.40 s that way, 0.15 s this way)."""
    with db.cursor() as cursor:
        cursor.execute("SELECT array_agg(nextval(sequence.id)) FROM (SELECT "
                       "pg_get_serial_sequence(%s, %s)::regclass AS id OFFSET 0) AS sequence, "
                       "generate_series(1, %s)", [meta.db_table, meta.pk.column, count])
        return cursor.fetchone()[0]


def copy_rows(db, meta, columns: Sequence[str], rows) -> None:
    """COPY `rows` (sequences of column values) into the model's table. The raw psycopg
    cursor's errors are psycopg's; the wrapper turns them into Django's (IntegrityError,
    DataError, ...) as every ORM query's are, so callers catch one kind."""
    quote = db.ops.quote_name
    statement = (f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
                 "FROM STDIN")
    with db.cursor() as cursor, db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


# Rows under which one INSERT ... RETURNING is cheaper than taking ids and a COPY (two round
# trips, and the COPY protocol's own): one invoice through the service writes eight tables a
# row or three at a time, and the COPYs were a fifth of its 20 ms (issue 23).
FEW_ROWS = 20


def _insert_few(db, meta, columns: Sequence[str], rows) -> list[int]:
    """INSERT a few rows (the values COPY would take) in one statement; their ids, in order."""
    rows = list(rows)
    quote = db.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with db.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(meta.db_table)} "
                       f"({', '.join(quote(c) for c in columns)}) "
                       f"VALUES {', '.join([row] * len(rows))} "
                       f"RETURNING {quote(meta.pk.column)}",
                       [value for values in rows for value in values])
        return [pk for (pk,) in cursor.fetchall()]


def _value(field, obj):
    """The field's value for COPY; a field left to its `db_default` takes that constant, as
    COPY writes no DEFAULT (an expression default has no place here and fails loudly)."""
    value = field.pre_save(obj, True)
    if isinstance(value, DatabaseDefault):
        default = field.db_default
        if isinstance(default, Value):
            return default.value
        if hasattr(default, "resolve_expression"):
            raise ValueError(f"{field} has an expression as db_default: insert it by the ORM")
        return default
    return value


def insert_rows(model, objects: Sequence) -> list:
    """Insert new objects and set their primary keys, like `bulk_create`. On PostgreSQL the ids
    come from the table's sequence in one query and the rows go in by COPY (several times
    faster than a multi-row INSERT built by the ORM), or a few rows in one INSERT (FEW_ROWS);
    elsewhere this is `bulk_create`. Values must be what the columns hold already (amounts
    rounded), as they are not prepared again."""
    objects = list(objects)
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects)
    db = connections[DEFAULT_DB_ALIAS]  # the real wrapper, not the thread-local proxy
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    if len(objects) < FEW_ROWS:
        fields = [f for f in fields if not f.primary_key]
        ids = _insert_few(db, meta, [f.column for f in fields], _row_values(objects, fields))
    else:
        ids = _new_ids(db, meta, len(objects))
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
        copy_rows(db, meta, [f.column for f in fields], _row_values(objects, fields))
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk, obj._state.adding, obj._state.db = pk, False, db.alias
    return objects


def _row_values(objects: Sequence, fields: Sequence):
    """Each object's values of `fields`, as COPY takes them."""
    relations = [f for f in fields if f.is_relation]
    converters = [_copy_value(field) for field in fields]
    for obj in objects:
        for field in relations:  # a related object saved after it was assigned
            if getattr(obj, field.attname) is None:
                related = field.get_cached_value(obj, None)
                if related is not None:
                    setattr(obj, field.attname, related.pk)
        yield [convert(_value(field, obj))
               for field, convert in zip(fields, converters, strict=True)]


def insert_tuples(model, fields: Sequence[str], rows: Sequence[tuple]) -> list[int]:
    """Insert `rows` (values of `fields` by attribute name, e.g. `entry_id`, ready for their
    columns: amounts rounded, no defaults filled in) and return their new ids, in order.

    Like `insert_rows` without a model instance per row: building the instances costs about as
    much as the COPY that writes them (a recognition run of 10,000 contracts built 60,000
    journal entries and lines only to write them)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        made = model.objects.bulk_create([model(**dict(zip(fields, row, strict=True)))
                                          for row in rows])
        return [obj.pk for obj in made]
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    if len(rows) < FEW_ROWS:
        return _insert_few(db, meta, [meta.get_field(name).column for name in fields], rows)
    ids = _new_ids(db, meta, len(rows))
    copy_rows(db, meta, [meta.pk.column, *(meta.get_field(name).column for name in fields)],
             ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
    return ids


def json_column():
    """How a JSON column's values go to insert_tuples: as their text for COPY on PostgreSQL,
    as themselves for bulk_create elsewhere. Asked once per write: the connection's vendor
    per row cost 0.25 s a 20,000-invoice run."""
    return json.dumps if connection.vendor == "postgresql" else (lambda value: value)


def check_deferred_constraints() -> None:
    """Check now, not at commit, the deferred constraints (Django's foreign keys) of the rows
    the transaction has written so far, on PostgreSQL (elsewhere they are immediate): a caller
    about to take a lock held until its commit runs those checks before the lock, not under
    it. Every deferrable constraint here is Django's, deferred initially, so it is deferred
    again at once (what `DatabaseWrapper.check_constraints` does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class _AnyOf(Lookup):
    lookup_name = "any_of"  # used as an expression (`among`), never registered on a field
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]

    def as_sqlite(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)


def among(field: str, values) -> Lookup:
    """A filter, `field` is one of `values`, for a bulk path's thousand ids: on PostgreSQL one
    array parameter (`= ANY(%s)`), where `field__in` sends a placeholder per value that
    psycopg splits the statement on each time (a statement past 4 kB is not cached: about
    35 ms a statement under load, a dozen statements a chunk, issue 23); elsewhere `IN`."""
    return _AnyOf(F(field), list(values))
