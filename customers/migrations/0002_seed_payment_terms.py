"""Seed the standard payment terms; re-running updates them in place (keyed by code)."""

from decimal import Decimal

from django.db import migrations

STANDARD_TERMS = [
    # code, name, kind, days, early-discount percent, early-discount days, instalments
    ("net-15", "Net 15", "net", 15, "0", 0, []),
    ("net-30", "Net 30", "net", 30, "0", 0, []),
    ("net-45", "Net 45", "net", 45, "0", 0, []),
    ("net-60", "Net 60", "net", 60, "0", 0, []),
    ("eom-30", "End of month + 30", "eom", 30, "0", 0, []),
    ("2-10-net-30", "2% 10, net 30", "net", 30, "2", 10, []),
    ("50-50-30", "50% now, 50% in 30 days", "instalments", 30, "0", 0,
     [("50", 0), ("50", 30)]),
]


def seed_terms(apps, schema_editor):
    PaymentTerms = apps.get_model("customers", "PaymentTerms")
    Instalment = apps.get_model("customers", "Instalment")
    for code, name, kind, days, discount, discount_days, instalments in STANDARD_TERMS:
        terms, _ = PaymentTerms.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "days": days,
                      "early_discount_percent": Decimal(discount),
                      "early_discount_days": discount_days, "active": True},
        )
        for sequence, (percent, due_days) in enumerate(instalments, start=1):
            Instalment.objects.update_or_create(
                terms=terms, sequence=sequence,
                defaults={"percent": Decimal(percent), "due_days": due_days},
            )


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_terms, migrations.RunPython.noop),
    ]
