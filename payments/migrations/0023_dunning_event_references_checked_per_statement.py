"""The references of dunning steps are checked once per statement instead of once per row
(`core.references`): a daily run writes a step per open invoice, and at 100,000 its five
foreign keys queued half a million checks for the commits. The constraints are dropped and the
triggers that keep the same rules installed in the same migration."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.references import Reference, installer

# Frozen: the tables of this migration.
REFERENCES = [
    Reference("payments_dunningevent", "invoice_id", "billing_invoice"),
    Reference("payments_dunningevent", "account_id", "customers_account"),
    Reference("payments_dunningevent", "policy_id", "payments_dunningpolicy"),
    Reference("payments_dunningevent", "run_id", "payments_dunningrun"),
    Reference("payments_dunningevent", "created_by_id", "auth_user"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0001_initial"),
        ("customers", "0001_initial"),
        ("payments", "0022_dunning_event_no_policy_run_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="dunningevent", name="invoice",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="dunning_events", to="billing.invoice"),
        ),
        migrations.AlterField(
            model_name="dunningevent", name="account",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="customers.account"),
        ),
        migrations.AlterField(
            model_name="dunningevent", name="policy",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="payments.dunningpolicy"),
        ),
        migrations.AlterField(
            model_name="dunningevent", name="run",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="events", to="payments.dunningrun"),
        ),
        migrations.AlterField(
            model_name="dunningevent", name="created_by",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(installer(REFERENCES), installer(REFERENCES, drop=True)),
    ]
