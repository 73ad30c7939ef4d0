"""Seed the default chart of accounts (idempotent: existing codes are left as they are)."""

from django.db import migrations

# A frozen copy of ledger.chart.DEFAULT_CHART as of this migration: later changes to the chart
# come with migrations of their own.
DEFAULT_CHART = [
    ("1000", "Cash", "asset"),
    ("1100", "Accounts receivable", "asset"),
    ("1150", "Unbilled receivable (contract asset)", "asset"),
    ("2100", "Customer credits", "liability"),
    ("2200", "Tax payable", "liability"),
    ("2300", "Deferred revenue", "liability"),
    ("3900", "Retained earnings", "equity"),
    ("4000", "Revenue", "revenue"),
    ("4900", "Sales discounts", "revenue"),
    ("6100", "Bad debt expense", "expense"),
    ("7100", "Realized FX gain/loss", "expense"),
    ("9999", "Suspense", "asset"),
]


def seed_chart(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    for code, name, type_ in DEFAULT_CHART:
        GLAccount.objects.get_or_create(code=code, defaults={"name": name, "type": type_})


def unseed_chart(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    GLAccount.objects.filter(code__in=[code for code, _, _ in DEFAULT_CHART], lines__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_chart, unseed_chart),
    ]
