"""Customer credit: what an issued credit note left owed back to the customer beyond what its
invoice still had due (billing booked it to chart.CUSTOMER_CREDITS). Finance applies it to
later invoices or refunds it; accounts with auto-apply have it applied by the periodic task.
A payment's unapplied cash is the other half of an account's credit (payments.Payment)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.fields import TimestampField
from payments.models.fields import AMOUNT, AMOUNT_ZERO, RATE


class CustomerCredit(models.Model):
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="customer_credits")
    credit_note = models.OneToOneField("billing.CreditNote", on_delete=models.PROTECT,
                                       related_name="customer_credit")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**AMOUNT)
    amount_applied = models.DecimalField(**AMOUNT_ZERO)
    amount_refunded = models.DecimalField(**AMOUNT_ZERO)
    fx_rate = models.DecimalField(**RATE, help_text="The rate the credit note booked it at.")
    created_on = models.DateField()

    class Meta:
        ordering = ["created_on", "pk"]
        indexes = [models.Index(fields=["account", "currency"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="customercredit_positive"),
            models.CheckConstraint(
                condition=Q(amount_applied__gte=0, amount_refunded__gte=0)
                & Q(amount__gte=F("amount_applied") + F("amount_refunded")),
                name="customercredit_never_used_beyond_its_amount"),
        ]
        permissions = [("apply_customer_credit", "Can apply or refund customer credit")]

    def __str__(self):
        return f"Credit from {self.credit_note.number}" if self.credit_note_id else "Credit"

    @property
    def unapplied(self):
        return self.amount - self.amount_applied - self.amount_refunded


class CreditUse(models.Model):
    """Part of a credit applied to an invoice, or refunded (no invoice)."""

    credit = models.ForeignKey(CustomerCredit, on_delete=models.PROTECT, related_name="uses")
    invoice = models.ForeignKey("billing.Invoice", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="credit_uses")
    amount = models.DecimalField(**AMOUNT)
    used_on = models.DateField()
    note = models.CharField(max_length=255, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT,
                                      related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["credit", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="credituse_positive")]

    def __str__(self):
        where = self.invoice or "refund"
        return f"{self.credit} → {where}: {self.amount}"
