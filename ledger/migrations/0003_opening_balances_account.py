"""Add the opening-balances equity account that migrated open invoices are posted against."""

from django.db import migrations


def add_account(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    GLAccount.objects.get_or_create(code="3000", defaults={"name": "Opening balances",
                                                           "type": "equity"})


def remove_account(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    GLAccount.objects.filter(code="3000", lines__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0002_default_chart"),
    ]

    operations = [
        migrations.RunPython(add_account, remove_account),
    ]
