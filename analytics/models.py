"""Monthly snapshots that keep the analytics page fast: aggregating a few thousand snapshot rows
instead of every contract line of two years. A beat task rebuilds recent months (idempotent)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from billing.aging import BUCKET_NAMES

# ReceivableMonth's amount fields, one per aging bucket (billing.aging.BUCKETS).
AGING_FIELDS = BUCKET_NAMES
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


class OwnerMonth(models.Model):
    """A month's totals of one owner's accounts in one document currency: the page sums a few
    hundred of these rows (visible owners, chosen currency) instead of the documents."""

    month = models.DateField(help_text="First day of the month.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", help_text="The accounts' owner.")
    currency = models.CharField(max_length=3, help_text="The documents' currency.")
    as_of = models.DateField(help_text="The day the figures hold on: the month's last day, or "
                                       "the refresh's business date in the current month.")

    class Meta:
        abstract = True
        ordering = ["month", "owner", "currency"]

    def __str__(self):
        return f"{self.month:%Y-%m} owner {self.owner_id} {self.currency}"


class MrrMonth(OwnerMonth):
    """MRR movements of the month (from the accounts' snapshots, in the document currency) and
    the twelve-month retention of the accounts that had MRR at the end of the month a year
    before (grouped by their owner then)."""

    opening = models.DecimalField(**AMOUNT)
    closing = models.DecimalField(**AMOUNT)
    new = models.DecimalField(**AMOUNT)
    expansion = models.DecimalField(**AMOUNT)
    contraction = models.DecimalField(**AMOUNT)
    churn = models.DecimalField(**AMOUNT)
    accounts = models.PositiveIntegerField(default=0, help_text="Accounts with MRR at the end.")
    churned_accounts = models.PositiveIntegerField(default=0)
    year_ago = models.DecimalField(**AMOUNT, help_text="MRR a year before of the accounts "
                                                       "that had some then.")
    retained = models.DecimalField(**AMOUNT, help_text="Their MRR now.")
    retained_capped = models.DecimalField(**AMOUNT, help_text="Their MRR now, each capped at "
                                                              "what it was a year before.")

    class Meta(OwnerMonth.Meta):
        constraints = [models.UniqueConstraint(fields=["month", "owner", "currency"],
                                               name="mrrmonth_one_per_owner_currency")]


class ReceivableMonth(OwnerMonth):
    """Billing and receivables of the month in the functional currency (booked rates): what was
    billed, the receivables ledger's balance on `as_of`, and what was open on invoices then by
    days past due (invoices' amounts still due at the refresh)."""

    billed = models.DecimalField(**AMOUNT)
    receivable = models.DecimalField(**AMOUNT)
    not_due = models.DecimalField(**AMOUNT, help_text="Open, due after `as_of`.")
    current = models.DecimalField(**AMOUNT, help_text="Open, due on or after `as_of`.")
    days_1_30 = models.DecimalField(**AMOUNT)
    days_31_60 = models.DecimalField(**AMOUNT)
    days_61_90 = models.DecimalField(**AMOUNT)
    over_90 = models.DecimalField(**AMOUNT)

    class Meta(OwnerMonth.Meta):
        constraints = [models.UniqueConstraint(fields=["month", "owner", "currency"],
                                               name="receivablemonth_one_per_owner_currency")]
