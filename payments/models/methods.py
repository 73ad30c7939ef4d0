"""A saved card: only the gateway's token, the brand, the last four digits and the expiry."""

from django.db import models

from core.fields import TimestampField


class PaymentMethod(models.Model):
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="payment_methods")
    gateway = models.CharField(max_length=32)
    token = models.CharField(max_length=64, help_text="The gateway's reusable token.")
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    autopay = models.BooleanField(default=True,
                                  help_text="Charge issued invoices to this card automatically.")
    active = models.BooleanField(default=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "token"], name="paymentmethod_unique_token"),
            models.UniqueConstraint(fields=["account"],
                                    condition=models.Q(autopay=True, active=True),
                                    name="paymentmethod_one_autopay_per_account"),
            models.CheckConstraint(condition=models.Q(exp_month__gte=1, exp_month__lte=12),
                                   name="paymentmethod_exp_month_range"),
        ]

    def __str__(self):
        return f"{self.brand} •••• {self.last4} ({self.exp_month:02d}/{self.exp_year})"
