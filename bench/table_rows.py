"""Rows a benchmark writes straight into a model's table (COPY, INSERT … SELECT), every column
it does not name given the field's default as Django would store it: a column that a later
migration adds does not break a benchmark's build."""

import json
from contextlib import contextmanager
from datetime import datetime

from django.db import connection
from django.db.models import NOT_PROVIDED, JSONField
from django.db.models.expressions import DatabaseDefault
from psycopg import sql


def stored_default(field, now: datetime):
    """What the row holds for `field` when nothing names it; `now` for auto_now fields."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    value = field.get_default()
    if isinstance(field, JSONField):
        return json.dumps(value)
    return field.get_db_prep_save(value, connection)  # a Money default stores its amount


def copy_fields(model) -> list:
    """The fields a COPY of the model's rows writes: all but the generated ones and those left
    to a database default."""
    return [field for field in model._meta.concrete_fields
            if not field.generated and not isinstance(field.get_default(), DatabaseDefault)]


def _needs_default(field, now: datetime) -> bool:
    """NOT NULL, no database default of its own, and Django would fill it (a blank text
    field's default is '')."""
    return (not field.primary_key and not field.null and field.db_default is NOT_PROVIDED
            and stored_default(field, now) is not None)


@contextmanager
def column_defaults(cursor, models, now: datetime):
    """Inside the caller's transaction, give each NOT NULL column of `models` that has a
    field default (and no database default) that default in the database, so an
    `INSERT … SELECT` that names only the columns it sets fills the rest as Django would. The
    database defaults are dropped again when the block ends (by the rollback if it raises:
    DDL is transactional in PostgreSQL); a table with deferred checks pending cannot be
    altered, so the rows written are checked then, and checks are deferred again after."""
    raw = cursor.connection
    columns = [(model._meta.db_table, field) for model in models
               for field in copy_fields(model) if _needs_default(field, now)]
    for table, field in columns:
        cursor.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}::{}").format(
            sql.Identifier(table), sql.Identifier(field.column),
            sql.Literal(stored_default(field, now)),
            sql.SQL(field.db_type(cursor.db))).as_string(raw))
    yield
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, field in columns:
        cursor.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT").format(
            sql.Identifier(table), sql.Identifier(field.column)).as_string(raw))
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
