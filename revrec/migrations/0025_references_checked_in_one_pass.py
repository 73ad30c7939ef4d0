"""The per-statement reference checks of recognition items and revenue rows lock and count the
parents they name in one pass, and look for the missing key only when the count falls short
(`core.references`): the same rules, one scan of the new rows fewer per reference."""

from django.db import migrations

from core.references import Reference, checks_replacer

# Frozen: every reference of the tables whose checks this migration replaces.
REFERENCES = [
    Reference("revrec_recognitionitem", "run_id", "revrec_recognitionrun"),
    Reference("revrec_recognitionitem", "revenue_contract_id", "revrec_revenuecontract"),
    Reference("revrec_recognitionitem", "entry_id", "ledger_journalentry"),
    Reference("revrec_recognitionitem", "reclass_entry_id", "ledger_journalentry"),
    Reference("revrec_recognizedrevenue", "item_id", "revrec_recognitionitem"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("revrec", "0024_indexes_a_run_writes_fewer"),
    ]

    operations = [
        migrations.RunPython(checks_replacer(REFERENCES), migrations.RunPython.noop),
    ]
