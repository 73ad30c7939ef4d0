"""The journal list's keyset pages (core.pagination) read entries by (posted_on, number),
newest first: without this index a page after a busy day (a bill run posts tens of thousands of
entries on one date) sorts that whole day.

Written as SQL with no model state, so that the ledger's models (owned elsewhere) stay as they
are; the index belongs in JournalEntry.Meta.indexes as
`models.Index(fields=["-posted_on", "-number"], name="journal_list_order")`, after which this
migration's operation becomes a `SeparateDatabaseAndState` (same name, nothing to rebuild).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("ledger", "0006_books_functional_currency")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX journal_list_order ON ledger_journalentry (posted_on DESC, number DESC)",
            reverse_sql="DROP INDEX journal_list_order"),
    ]
