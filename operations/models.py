"""What finance decides about the scheduled runs, which invoice runs beat started, and the
scheduled runs that were refused (an alert until a later run for the same day or month starts,
or someone dismisses it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core import clock


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


class RefusedRunKind(models.TextChoices):
    BILL_DAY = "bill_day", "Bill-day invoice run"
    RECOGNITION = "recognition", "Recognition run"


class RefusalState(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved: a later run started"
    DISMISSED = "dismissed", "Dismissed"


class RunRefusal(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A scheduled run that was not started: which run, for which day (a bill day's date, or
    the first day of the month to recognize), why, and the unfinished run that held its
    accounts, if one did. One open alert per run and day: a refusal again adds an attempt."""

    kind = models.CharField(max_length=12, choices=RefusedRunKind.choices)
    scope_on = models.DateField(help_text="The bill day's date, or the month to recognize.")
    state = FSMField(default=RefusalState.OPEN, choices=RefusalState.choices, protected=True)
    reason = models.TextField(help_text="The last refusal's message.")
    blocking_invoice_run = models.ForeignKey("billing.InvoiceRun", null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    blocking_recognition_run = models.ForeignKey("revrec.RecognitionRun", null=True,
                                                 blank=True, on_delete=models.SET_NULL,
                                                 related_name="+")
    attempts = models.PositiveIntegerField(default=1)
    refused_at = models.DateTimeField(default=clock.now)
    last_refused_at = models.DateTimeField(default=clock.now)
    started_invoice_run = models.ForeignKey("billing.InvoiceRun", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    started_recognition_run = models.ForeignKey("revrec.RecognitionRun", null=True, blank=True,
                                                on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-last_refused_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope_on"], condition=Q(state="open"),
                                    name="runrefusal_one_open_per_run_and_day"),
        ]
        permissions = [("dismiss_runrefusal", "Can dismiss a refused run's alert"),
                       ("resolve_runrefusal", "Can close a refused run's alert when a later "
                                              "run starts")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.scope_label} refused"

    @property
    def scope_label(self) -> str:
        if self.kind == RefusedRunKind.RECOGNITION:
            return f"{self.scope_on:%B %Y}"
        return f"{self.scope_on:%Y-%m-%d}"

    @property
    def blocking_run(self):
        return self.blocking_invoice_run or self.blocking_recognition_run

    @transition(field=state, source=RefusalState.OPEN, target=RefusalState.RESOLVED,
                permission="operations.resolve_runrefusal")
    def resolve(self, *, invoice_run=None, recognition_run=None, closed_by=None,
                closed_at=None):
        """A later run for the same day or month started."""
        self.started_invoice_run, self.started_recognition_run = invoice_run, recognition_run
        self.closed_by, self.closed_at = closed_by, closed_at

    @transition(field=state, source=RefusalState.OPEN, target=RefusalState.DISMISSED,
                permission="operations.dismiss_runrefusal")
    def dismiss(self, *, closed_by=None, closed_at=None):
        self.closed_by, self.closed_at = closed_by, closed_at
