"""Each interest line keeps what its run posted in the functional currency (the unbilled
receivable tie of the close reads it). Lines posted before: their entry's interest (unbilled
receivable for arrears, interest expense for advances) split over them by largest remainder."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import migrations, models
from django.db.models import Sum

from core.money import allocate

ACCOUNT_OF = {"arrears": "1150", "advance": "7300"}  # ledger.chart as it stood at 0015


def fill_posted(apps, schema_editor):
    InterestLine = apps.get_model("revrec", "InterestLine")
    JournalLine = apps.get_model("ledger", "JournalLine")
    groups = defaultdict(list)
    for line in (InterestLine.objects.filter(entry__isnull=False)
                 .select_related("component").order_by("pk")):
        groups[line.entry_id, line.component.kind].append(line)
    for (entry_id, kind), lines in groups.items():
        posted = JournalLine.objects.filter(
            entry_id=entry_id, gl_account__code=ACCOUNT_OF[kind]).aggregate(
            total=Sum("debit"))["total"] or Decimal(0)
        for line, part in zip(lines, allocate(posted, [x.amount for x in lines],
                                              settings.FUNCTIONAL_CURRENCY), strict=True):
            line.amount_functional = part
        InterestLine.objects.bulk_update(lines, ["amount_functional"])


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0009_accounts_for_returns_fees_interest_rounding"),
        ("revrec", "0014_revenue_by_country"),
    ]

    operations = [
        migrations.AddField(
            model_name="interestline",
            name="amount_functional",
            field=models.DecimalField(
                decimal_places=4, default=Decimal("0"), max_digits=19,
                help_text="What its run posted (functional): its share, by largest remainder, "
                          "of the revenue contract's interest of the run at the run's rate."),
        ),
        migrations.RunPython(fill_posted, migrations.RunPython.noop),
    ]
