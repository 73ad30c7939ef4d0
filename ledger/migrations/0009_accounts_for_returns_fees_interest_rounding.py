"""Add the accounts that returns, late fees, interest, financing and cash rounding post to."""

from django.db import migrations

# A frozen copy of the accounts ledger.chart gained with this migration.
ACCOUNTS = [
    ("1300", "Right to recover returned goods", "asset"),
    ("2400", "Refund liability", "liability"),
    ("4500", "Late fee income", "revenue"),
    ("4600", "Interest income", "revenue"),
    ("5000", "Cost of sales", "expense"),
    ("7200", "Cash rounding", "expense"),
    ("7300", "Interest expense", "expense"),
]


def add_accounts(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    for code, name, type_ in ACCOUNTS:
        GLAccount.objects.get_or_create(code=code, defaults={"name": name, "type": type_})


def remove_accounts(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    GLAccount.objects.filter(code__in=[code for code, _, _ in ACCOUNTS], lines__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0008_journal_list_index"),
    ]

    operations = [
        migrations.RunPython(add_accounts, remove_accounts),
    ]
