"""Standalone selling prices say what period they are for. Until now an SSP was read as "per unit
and billing period of the line", so the same figure meant a month on a monthly line and a year
on an annual one. Existing SSPs of recurring products (subscriptions) become per month, the
figure the catalog has always held for them; the others (one-time services, goods, usage
rates) one-time."""

import djmoney.models.fields
from django.db import migrations, models


def one_time_for_non_recurring(apps, schema_editor):
    StandaloneSellingPrice = apps.get_model("catalog", "StandaloneSellingPrice")
    StandaloneSellingPrice.objects.exclude(product__kind="subscription").update(basis="one_time")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_charge_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="standalonesellingprice",
            name="basis",
            field=models.CharField(
                choices=[("per_month", "Per month"), ("per_year", "Per year"),
                         ("one_time", "One-time")],
                default="per_month",
                help_text="Per month or per year (scaled to each line's term), or one-time (per "
                          "unit, whatever the term).",
                max_length=16),
        ),
        migrations.AlterField(
            model_name="standalonesellingprice",
            name="amount",
            field=djmoney.models.fields.MoneyField(
                decimal_places=4, default_currency=None,
                help_text="Per unit, for the period its basis says.", max_digits=19),
        ),
        migrations.RunPython(one_time_for_non_recurring, migrations.RunPython.noop),
    ]
