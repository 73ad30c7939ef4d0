"""A bank statement CSV, read whole, its credit lines with the match proposed for each; finance
confirms the matches it agrees with, which records and applies the payments."""

from django.conf import settings
from django.db import models

from core.fields import TimestampField
from payments.models.fields import AMOUNT


class StatementImport(models.Model):
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, null=True, blank=True, editable=False,
                                   help_text="The file's SHA-256: a file is imported once.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["file_sha256"], name="statementimport_file_once"),
        ]

    def __str__(self):
        return f"Statement {self.filename} ({self.created_at:%Y-%m-%d})"


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    booked_on = models.DateField()
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=140, blank=True)
    payer = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey("customers.Account", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    suggested_invoice = models.ForeignKey("billing.Invoice", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    match_reason = models.CharField(max_length=200, blank=True)
    payment = models.OneToOneField("payments.Payment", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="statement_line")
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True, editable=False,
                                   help_text="The line's identity: date, amount, currency, "
                                             "reference and payer.")
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+",
                                  help_text="The same line on an earlier statement.")

    class Meta:
        ordering = ["statement", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "line_number"],
                                    name="statementline_unique_line"),
        ]

    def __str__(self):
        return f"Line {self.line_number}: {self.amount} {self.currency} {self.reference}"
