"""Germany's rule for which debt a payment clears (BGB §367(1)): costs, then interest, then
principal. Other countries are added in admin; an account of a country not listed clears
principal first."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("payments", "ClearingRule").objects.get_or_create(
        country="DE", defaults={"order": "costs_interest_principal", "law": "BGB §367(1)"})


def unseed(apps, schema_editor):
    apps.get_model("payments", "ClearingRule").objects.filter(country="DE").delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0009_late_charges_and_dunning_limits")]

    operations = [migrations.RunPython(seed, unseed)]
