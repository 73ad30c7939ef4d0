"""Monthly snapshots that keep the analytics page fast: aggregating a few thousand snapshot rows
instead of every contract line of two years. A beat task rebuilds recent months (idempotent)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}


class MrrSnapshot(models.Model):
    """One account's monthly recurring revenue in one currency at a month's last day, and at the
    previous month's last day, both in the document currency (rounded to it); the page converts
    both at the month's rate, so movements are not distorted by exchange rates."""

    month = models.DateField(help_text="First day of the month; MRR as of its last day.")
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE,
                                related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", help_text="The account's owner.")
    currency = models.CharField(max_length=3)
    mrr = models.DecimalField(**AMOUNT)
    previous_mrr = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["month", "account", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "account", "currency"],
                                    name="mrrsnapshot_one_per_account_month"),
        ]
        indexes = [models.Index(fields=["month", "currency"])]
        permissions = [("view_analytics", "Can view the analytics page")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.account_id} {self.mrr} {self.currency}"
