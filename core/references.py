"""Foreign keys checked once per statement, for the tables bulk paths fill by the hundred
thousand (journal lines and entries, recognition items): the SQL that migrations install.

PostgreSQL checks a foreign key row by row: one trigger event per inserted row, and at the
commit one locked lookup of the parent per event. A recognition run of 100,000 contracts
queued 2.2 million of them, most of its database time. The same rules, set-based:

- a statement that inserts or updates rows of the table checks all their references at once
  (statement trigger over its transition table): it locks the parents they name (FOR KEY
  SHARE, as a foreign key does, so none can be deleted before the commit) and refuses the
  statement if any row names a parent that does not exist. Checked at once, not at the
  commit: these rows are always written after their parents;
- deleting a parent (or changing its key) is checked row by row, deferred to the commit as
  Django makes its foreign keys: refused if a row still names it. Parents are seldom deleted,
  and a flush that deletes parents and their rows in one transaction, in any order, passes;
- a TRUNCATE of the parent is refused if a row still names it once the statement is done
  (truncating both together passes).

SQLite (development, tests) has neither: the rows come only from `post_entries` and the
recognition run, which check what they name, and the ORM's `on_delete=PROTECT` guards deletes.
(Row triggers there would name the parent tables, and SQLite then refuses to rebuild a parent
table, which is how Django alters one.)
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """`table.column` names a row of `parent` by its `parent_column`."""

    table: str
    column: str
    parent: str
    parent_column: str = "id"

    @property
    def name(self) -> str:
        return f"fk_{self.table}_{self.column}"


def _check_one(ref: Reference) -> str:
    # One pass locks the parents named and counts them; fewer than the distinct keys named
    # means one is missing, and only then are the rows searched for it (the message's key).
    return f"""
    SELECT count(*) INTO found FROM (
        SELECT FROM {ref.parent} p WHERE p.{ref.parent_column} IN (
            SELECT n.{ref.column} FROM fk_new_rows n) ORDER BY p.{ref.parent_column}
        FOR KEY SHARE OF p) locked;
    IF found < (SELECT count(DISTINCT n.{ref.column}) FROM fk_new_rows n) THEN
        SELECT n.{ref.column} INTO missing FROM fk_new_rows n WHERE n.{ref.column} IS NOT NULL
            AND NOT EXISTS (SELECT FROM {ref.parent} p
                            WHERE p.{ref.parent_column} = n.{ref.column})
            LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "{ref.table}" violates foreign key "{ref.name}"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format(
                'Key ({ref.column})=(%s) is not present in table "{ref.parent}".', missing);
    END IF;"""


def _check_function(table: str, refs: Sequence[Reference]) -> str:
    checks = "".join(_check_one(ref) for ref in refs)
    return f"""
CREATE OR REPLACE FUNCTION fk_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
    found bigint;
BEGIN{checks}
    RETURN NULL;
END
$$;"""


def _rows_checked(table: str, refs: Sequence[Reference]) -> str:
    return _check_function(table, refs) + f"""
CREATE TRIGGER fk_{table}_insert AFTER INSERT ON {table}
REFERENCING NEW TABLE AS fk_new_rows FOR EACH STATEMENT EXECUTE FUNCTION fk_{table}();
CREATE TRIGGER fk_{table}_update AFTER UPDATE ON {table}
REFERENCING NEW TABLE AS fk_new_rows FOR EACH STATEMENT EXECUTE FUNCTION fk_{table}();
"""


def _parent_kept(ref: Reference) -> str:
    key = ref.parent_column
    return f"""
CREATE FUNCTION {ref.name}_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        IF EXISTS (SELECT FROM {ref.table} c WHERE c.{ref.column} IS NOT NULL) THEN
            RAISE EXCEPTION 'truncate of table "{ref.parent}" violates foreign key "{ref.name}"'
                USING ERRCODE = 'foreign_key_violation',
                DETAIL = 'Rows of table "{ref.table}" still reference it.';
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.{key} IS NOT DISTINCT FROM OLD.{key} THEN
            RETURN NULL;
        END IF;
    END IF;
    IF EXISTS (SELECT FROM {ref.table} c WHERE c.{ref.column} = OLD.{key})
            AND NOT EXISTS (SELECT FROM {ref.parent} p WHERE p.{key} = OLD.{key}) THEN
        RAISE EXCEPTION 'update or delete on table "{ref.parent}" violates foreign key "{ref.name}"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format(
                'Key ({key})=(%s) is still referenced from table "{ref.table}".', OLD.{key});
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER {ref.name} AFTER DELETE OR UPDATE OF {key} ON {ref.parent}
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {ref.name}_kept();
CREATE TRIGGER {ref.name}_truncate AFTER TRUNCATE ON {ref.parent}
FOR EACH STATEMENT EXECUTE FUNCTION {ref.name}_kept();
"""


def _by_table(refs: Sequence[Reference]) -> dict[str, list[Reference]]:
    tables: dict[str, list[Reference]] = {}
    for ref in refs:
        tables.setdefault(ref.table, []).append(ref)
    return tables


def postgresql_create(refs: Sequence[Reference]) -> str:
    return ("".join(_rows_checked(table, group) for table, group in _by_table(refs).items())
            + "".join(_parent_kept(ref) for ref in refs))


def postgresql_drop(refs: Sequence[Reference]) -> str:
    parents = "".join(f"DROP TRIGGER IF EXISTS {ref.name} ON {ref.parent};\n"
                      f"DROP TRIGGER IF EXISTS {ref.name}_truncate ON {ref.parent};\n"
                      f"DROP FUNCTION IF EXISTS {ref.name}_kept();\n" for ref in refs)
    return parents + "".join(f"DROP TRIGGER IF EXISTS fk_{table}_insert ON {table};\n"
                             f"DROP TRIGGER IF EXISTS fk_{table}_update ON {table};\n"
                             f"DROP FUNCTION IF EXISTS fk_{table}();\n"
                             for table in _by_table(refs))


def _run_on_postgresql(sql: Callable[[], str]) -> Callable:
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # one script, no parameters: "%" is plpgsql's
            schema_editor.execute(sql(), params=None)

    return run


def checks_replacer(refs: Sequence[Reference]) -> Callable:
    """A RunPython function that replaces the per-statement checks of `refs`' tables with
    this module's current ones (every reference of each table must be in `refs`)."""
    return _run_on_postgresql(lambda: "".join(
        _check_function(table, group) for table, group in _by_table(refs).items()))


def installer(refs: Sequence[Reference], *, drop: bool = False) -> Callable:
    """A RunPython function that installs (or, `drop`, removes) the checks of `refs` on
    PostgreSQL."""
    return _run_on_postgresql(lambda: (postgresql_drop if drop else postgresql_create)(refs))
