"""Default approval rules: big line discounts and long terms to Finance, big deals to managers."""

from decimal import Decimal

from django.db import migrations

RULES = [  # name, condition, threshold, currency, group, level
    ("Line discount above 20%", "line_discount", Decimal("20"), "", "Finance", 1),
    ("Payment terms longer than 45 days", "payment_terms", Decimal("45"), "", "Finance", 1),
    ("Total contract value above 250,000 USD", "tcv_above", Decimal("250000"), "USD",
     "Sales Manager", 2),
]


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ApprovalRule = apps.get_model("quotes", "ApprovalRule")
    for name, condition, threshold, currency, group, level in RULES:
        ApprovalRule.objects.get_or_create(name=name, defaults={
            "condition": condition, "threshold": threshold, "currency": currency,
            "group": Group.objects.get_or_create(name=group)[0], "level": level})


def unseed(apps, schema_editor):
    apps.get_model("quotes", "ApprovalRule").objects.filter(
        name__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("quotes", "0002_approvals"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
