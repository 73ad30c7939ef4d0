"""The per-statement reference checks of journal entries, journal lines and closing balances lock
and count the parents they name in one pass, and look for the missing key only when the count
falls short (`core.references`): the same rules, one scan of the new rows fewer per reference."""

from django.db import migrations

from core.references import Reference, checks_replacer

# Frozen: every reference of the tables whose checks this migration replaces.
REFERENCES = [
    Reference("ledger_journalentry", "period_id", "ledger_accountingperiod"),
    Reference("ledger_journalentry", "source_type_id", "django_content_type"),
    Reference("ledger_journalentry", "posted_by_id", "auth_user"),
    Reference("ledger_journalline", "entry_id", "ledger_journalentry"),
    Reference("ledger_journalline", "gl_account_id", "ledger_glaccount"),
    Reference("ledger_journalline", "customer_account_id", "customers_account"),
    Reference("ledger_closingbalance", "period_id", "ledger_accountingperiod"),
    Reference("ledger_closingbalance", "gl_account_id", "ledger_glaccount"),
    Reference("ledger_closingbalance", "customer_account_id", "customers_account"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0014_lines_by_gl_account_and_entry"),
    ]

    operations = [
        migrations.RunPython(checks_replacer(REFERENCES), migrations.RunPython.noop),
    ]
