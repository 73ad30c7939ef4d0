"""The per-statement reference checks of dunning steps lock and count the parents they name in one
pass, and look for the missing key only when the count falls short (`core.references`): the same
rules, one scan of the new rows fewer per reference."""

from django.db import migrations

from core.references import Reference, checks_replacer

# Frozen: every reference of the tables whose checks this migration replaces.
REFERENCES = [
    Reference("payments_dunningevent", "invoice_id", "billing_invoice"),
    Reference("payments_dunningevent", "account_id", "customers_account"),
    Reference("payments_dunningevent", "policy_id", "payments_dunningpolicy"),
    Reference("payments_dunningevent", "run_id", "payments_dunningrun"),
    Reference("payments_dunningevent", "created_by_id", "auth_user"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0023_dunning_event_references_checked_per_statement"),
    ]

    operations = [
        migrations.RunPython(checks_replacer(REFERENCES), migrations.RunPython.noop),
    ]
