"""The references of recognition items and revenue rows are checked once per statement instead
of once per row (`core.references`): the foreign key constraints are dropped and the triggers
that keep the same rules installed in the same migration. From here on a run posts the contract
asset reclass in the month's revenue entry (`item.entry`), no longer in `reclass_entry`."""

import django.db.models.deletion
from django.db import migrations, models

from core.references import Reference, installer

# Frozen: the tables of this migration.
REFERENCES = [
    Reference("revrec_recognitionitem", "run_id", "revrec_recognitionrun"),
    Reference("revrec_recognitionitem", "revenue_contract_id", "revrec_revenuecontract"),
    Reference("revrec_recognitionitem", "entry_id", "ledger_journalentry"),
    Reference("revrec_recognitionitem", "reclass_entry_id", "ledger_journalentry"),
    Reference("revrec_recognizedrevenue", "item_id", "revrec_recognitionitem"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0012_references_checked_per_statement"),
        ("revrec", "0019_financing_plans_across_the_transfer"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recognitionitem", name="run",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="items", to="revrec.recognitionrun"),
        ),
        migrations.AlterField(
            model_name="recognitionitem", name="revenue_contract",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="items", to="revrec.revenuecontract"),
        ),
        migrations.AlterField(
            model_name="recognitionitem", name="entry",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="ledger.journalentry"),
        ),
        migrations.AlterField(
            model_name="recognitionitem", name="reclass_entry",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    help_text="Runs before revrec 0020 posted the contract "
                                              "asset reclass in an entry of its own; since, "
                                              "`entry` holds it.",
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="ledger.journalentry"),
        ),
        migrations.AlterField(
            model_name="recognizedrevenue", name="item",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="revenue", to="revrec.recognitionitem"),
        ),
        migrations.RunPython(installer(REFERENCES), installer(REFERENCES, drop=True)),
    ]
