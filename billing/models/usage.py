"""Metered usage: one row per event reported, counted once by its idempotency key; rated in
arrears per billing period with the contract line's frozen price model (billing.rating)."""

from django.conf import settings
from django.db import models

from billing.models.fields import QUANTITY
from core.fields import TimestampField


class UsageImport(models.Model):
    """One uploaded usage file (imported whole or not at all)."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0,
                                                help_text="Rows new by their idempotency key.")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        permissions = [("import_usage", "Can import usage records")]

    def __str__(self):
        return f"{self.file_name} ({self.created_count}/{self.row_count})"


class UsageRecord(models.Model):
    """One usage event. Its indexes are what ingest writes per event, so each earns its place:
    the account's lookups use the two that start with it, and an import's or a billing record's
    rows are found by partial indexes that leave out the many events without one."""

    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="usage_records", db_index=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QUANTITY)
    occurred_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=200,
                                       help_text="The sender's id: a key counts once.")
    usage_import = models.ForeignKey(UsageImport, null=True, blank=True, db_index=False,
                                     on_delete=models.PROTECT, related_name="records")
    billing_record = models.ForeignKey("billing.BillingRecord", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="usage_records",
                                       db_index=False, help_text="Set once rated onto an invoice.")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["account", "occurred_at", "pk"]
        indexes = [
            models.Index(fields=["account", "product", "occurred_at"]),
            models.Index(fields=["usage_import"], name="usagerecord_import",
                         condition=models.Q(usage_import__isnull=False)),
            models.Index(fields=["billing_record"], name="usagerecord_billed",
                         condition=models.Q(billing_record__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"],
                                    name="usagerecord_once_per_key"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0),
                                   name="usagerecord_quantity_not_negative"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.product_id} × {self.quantity} at {self.occurred_at}"
