"""PostgreSQL refuses any statement that inserts journal lines leaving one of their entries
unbalanced: one set-based check per statement (a GROUP BY over the statement's new rows, read
from its transition table, not from the table again), whoever writes them (post_entries, a
bench's SQL, a hand-written fix). post_entries writes all the lines of a posting in one
statement, so each entry is checked whole. SQLite (development, tests) keeps the check
post_entries makes in Python before writing."""

from django.db import migrations

CREATE = """
CREATE FUNCTION ledger_journal_lines_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced bigint;
BEGIN
    SELECT entry_id INTO unbalanced FROM ledger_new_journal_lines
    GROUP BY entry_id HAVING sum(debit) <> sum(credit) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % is unbalanced', unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_journal_lines_balance AFTER INSERT ON ledger_journalline
REFERENCING NEW TABLE AS ledger_new_journal_lines
FOR EACH STATEMENT EXECUTE FUNCTION ledger_journal_lines_balance();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_journal_lines_balance ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_journal_lines_balance();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no parameters: "%" is plpgsql's
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0010_stamped_by_the_product_clock"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
