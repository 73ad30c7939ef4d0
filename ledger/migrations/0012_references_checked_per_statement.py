"""The references of journal entries and lines are checked once per statement instead of once
per row (`core.references`): the foreign key constraints are dropped and the triggers that
keep the same rules installed in the same migration."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.references import Reference, installer

# Frozen: the tables of this migration.
REFERENCES = [
    Reference("ledger_journalentry", "period_id", "ledger_accountingperiod"),
    Reference("ledger_journalentry", "source_type_id", "django_content_type"),
    Reference("ledger_journalentry", "posted_by_id", "auth_user"),
    Reference("ledger_journalline", "entry_id", "ledger_journalentry"),
    Reference("ledger_journalline", "gl_account_id", "ledger_glaccount"),
    Reference("ledger_journalline", "customer_account_id", "customers_account"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0001_initial"),
        ("ledger", "0011_lines_balance_per_statement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry", name="period",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="entries", to="ledger.accountingperiod"),
        ),
        migrations.AlterField(
            model_name="journalentry", name="source_type",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    to="contenttypes.contenttype"),
        ),
        migrations.AlterField(
            model_name="journalentry", name="posted_by",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="journalline", name="entry",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="lines", to="ledger.journalentry"),
        ),
        migrations.AlterField(
            model_name="journalline", name="gl_account",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="lines", to="ledger.glaccount"),
        ),
        migrations.AlterField(
            model_name="journalline", name="customer_account",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="journal_lines", to="customers.account"),
        ),
        migrations.RunPython(installer(REFERENCES), installer(REFERENCES, drop=True)),
    ]
