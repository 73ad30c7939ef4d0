"""What has been billed: one row per scheduled charge (`contracts.ScheduledCharge`) an invoice
holds. The one-to-one is what makes a rerun or a resumed run bill nothing twice; discarding a
draft or voiding an invoice deletes its rows, so the charges bill again."""

from django.db import models

from billing.models.fields import AMOUNT


class RecordKind(models.TextChoices):
    RECURRING = "recurring", "Recurring charge (in advance)"
    CREDIT = "credit", "Credit for days not served"
    ONE_TIME = "one_time", "One-time charge"
    USAGE = "usage", "Usage (in arrears)"


class BillingRecord(models.Model):
    contract_line = models.ForeignKey("contracts.ContractLine", on_delete=models.PROTECT,
                                      related_name="billing_records")
    scheduled_charge = models.OneToOneField("contracts.ScheduledCharge",
                                            on_delete=models.PROTECT,
                                            related_name="billing_record")
    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day (inclusive).")
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.CASCADE,
                                related_name="billing_records")
    invoice_line = models.OneToOneField("billing.InvoiceLine", on_delete=models.CASCADE,
                                        related_name="billing_record")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract_line", "period_start", "kind"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="billingrecord_period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.contract_line_id} {self.kind} {self.period_start}..{self.period_end}"
