"""What has been billed: one row per scheduled charge (`contracts.ScheduledCharge`) a document
holds: an invoice line, or, for a credit that a run could not net against charges, a credit
note line. The one-to-one is what makes a rerun or a resumed run bill nothing twice; discarding
a draft or voiding an invoice deletes its rows, so the charges bill again."""

from django.db import models

from billing.models.fields import AMOUNT
from core.fields import TimestampField


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
    invoice = models.ForeignKey("billing.Invoice", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="billing_records")
    invoice_line = models.OneToOneField("billing.InvoiceLine", null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="billing_record")
    credit_note_line = models.ForeignKey("billing.CreditNoteLine", null=True, blank=True,
                                         on_delete=models.PROTECT,
                                         related_name="billing_records")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["contract_line", "period_start", "kind"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="billingrecord_period_ends_after_start"),
            models.CheckConstraint(
                condition=(models.Q(invoice_line__isnull=False, invoice__isnull=False,
                                    credit_note_line__isnull=True)
                           | models.Q(invoice_line__isnull=True, invoice__isnull=True,
                                      credit_note_line__isnull=False)),
                name="billingrecord_on_one_document"),
        ]

    def __str__(self):
        return f"{self.contract_line_id} {self.kind} {self.period_start}..{self.period_end}"
