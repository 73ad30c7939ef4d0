"""The sandbox gateway's own books: what a real gateway keeps on its side (cards behind
tokens, charges by idempotency key, refunds). The project's code reaches them only through
`payments.gateways.sandbox`; a card number never reaches these tables, only what the test card
will do."""

from django.db import models

from core.fields import TimestampField
from payments.models.fields import AMOUNT, AMOUNT_ZERO


class SandboxCard(models.Model):
    token = models.CharField(max_length=64, unique=True)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    behaviour = models.CharField(max_length=32, help_text="What charging this test card does.")
    reusable = models.BooleanField(default=False, help_text="Saved as a payment method.")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.token} ({self.brand} {self.last4})"


class SandboxCharge(models.Model):
    idempotency_key = models.CharField(max_length=80, unique=True)
    reference = models.CharField(max_length=64, unique=True)
    card = models.ForeignKey(SandboxCard, on_delete=models.PROTECT, related_name="charges")
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16)  # succeeded, pending, failed
    decline_code = models.CharField(max_length=40, blank=True)
    amount_refunded = models.DecimalField(**AMOUNT_ZERO)
    notified_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the merchant's webhook took the outcome.")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.reference} {self.status}"


class SandboxRefund(models.Model):
    idempotency_key = models.CharField(max_length=80, unique=True)
    reference = models.CharField(max_length=64, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**AMOUNT)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.reference
