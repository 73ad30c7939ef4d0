"""What finance decides about the scheduled runs, and which invoice runs beat started."""

from django.conf import settings
from django.db import models


class InvoiceRunMode(models.TextChoices):
    OFF = "off", "Off: finance starts every run"
    DRAFTS = "drafts", "Draft the invoices for review"
    ISSUE = "issue", "Draft and issue the invoices"


class ScheduleSettings(models.Model):
    """One row (pk 1): what beat's runs do. Changed on the schedule page by finance."""

    invoice_run_mode = models.CharField(max_length=10, choices=InvoiceRunMode.choices,
                                        default=InvoiceRunMode.DRAFTS)
    recognize_after_month_end = models.BooleanField(
        default=True, help_text="Start last month's recognition run on the 1st.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "schedule settings"
        verbose_name_plural = "schedule settings"
        permissions = [("view_operations", "Can see the operations page")]

    def __str__(self):
        return f"Scheduled runs: {self.get_invoice_run_mode_display()}"


class ScheduledInvoiceRun(models.Model):
    """An invoice run beat started for a bill day, and whether its drafts are to be issued
    (the mode at the time); `issued_at` is set once they were."""

    run = models.OneToOneField("billing.InvoiceRun", on_delete=models.CASCADE,
                               related_name="+")
    bill_day = models.PositiveSmallIntegerField()
    run_on = models.DateField(unique=True, help_text="One scheduled run per day.")
    issue = models.BooleanField(default=False)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run_on"]

    def __str__(self):
        return f"Scheduled run {self.run_on:%Y-%m-%d} (bill day {self.bill_day})"
