"""Invoice runs. The life of a run: pending → running → completed | failed (a failed or stuck
run can be resumed: running again, only its unfinished chunks are dispatched).

A run is split into chunks over account id ranges, each taken by any worker; a chunk is done
when `finished_at` is set. One account's failure is a `InvoiceRunFailure` row with the reason,
and does not stop the chunk or the run.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core import clock
from core.fields import TimestampField
from core.runs import Heartbeat


class RunState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class InvoiceRun(Heartbeat, ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    LIVE_STATES = (RunState.PENDING, RunState.RUNNING)

    as_of = models.DateField(help_text="Bill everything due on or before this date.")
    currency = models.CharField(max_length=3, blank=True, help_text="Only this currency.")
    bill_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Only accounts billed on this day of the month.")
    accounts = models.ManyToManyField("customers.Account", blank=True, related_name="+",
                                      help_text="Only these accounts (empty: all).")
    state = FSMField(default=RunState.PENDING, choices=RunState.choices, protected=True)
    chunk_size = models.PositiveIntegerField(
        default=1000, validators=[MinValueValidator(1)],
        help_text="Accounts per chunk task (billing.services.runs.ACCOUNTS_PER_CHUNK).")
    chunk_count = models.PositiveIntegerField(default=0)
    account_count = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True, help_text="Why the run itself failed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = TimestampField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("start_invoice_run", "Can start, resume and preview invoice runs"),
        ]

    def __str__(self):
        return f"Invoice run {self.pk} as of {self.as_of}"

    @property
    def is_finished(self) -> bool:
        return self.state in (RunState.COMPLETED, RunState.FAILED)

    @transition(field=state, source=RunState.PENDING, target=RunState.RUNNING,
                permission="billing.start_invoice_run")
    def start(self, *, at, chunk_count: int, account_count: int):
        self.started_at, self.chunk_count, self.account_count = at, chunk_count, account_count
        self.heartbeat_at = at

    @transition(field=state, source=[RunState.RUNNING, RunState.FAILED], target=RunState.RUNNING,
                permission="billing.start_invoice_run")
    def resume(self):
        self.finished_at, self.failure_reason, self.heartbeat_at = None, "", clock.now()

    @transition(field=state, source=RunState.RUNNING, target=RunState.COMPLETED,
                permission="billing.start_invoice_run")
    def complete(self, *, at):
        self.finished_at = at

    @transition(field=state, source=[RunState.PENDING, RunState.RUNNING], target=RunState.FAILED,
                permission="billing.start_invoice_run")
    def fail(self, *, at, reason: str):
        self.finished_at, self.failure_reason = at, reason


class InvoiceRunChunk(models.Model):
    """Accounts with ids in [first_account_id, last_account_id] of one run."""

    run = models.ForeignKey(InvoiceRun, on_delete=models.CASCADE, related_name="chunks")
    sequence = models.PositiveIntegerField()
    first_account_id = models.PositiveBigIntegerField()
    last_account_id = models.PositiveBigIntegerField()
    account_count = models.PositiveIntegerField(default=0)
    invoice_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True,
                                       help_text="Empty while the chunk is still to do.")

    class Meta:
        ordering = ["run", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sequence"], name="runchunk_unique_sequence"),
            models.CheckConstraint(
                condition=models.Q(last_account_id__gte=models.F("first_account_id")),
                name="runchunk_range_ordered"),
        ]

    def __str__(self):
        return f"{self.run} chunk {self.sequence}"


class InvoiceRunFailure(models.Model):
    """Why one account could not be billed in a run (the latest attempt's reason)."""

    run = models.ForeignKey(InvoiceRun, on_delete=models.CASCADE, related_name="failures")
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    created_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["run", "account"]
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="runfailure_once_per_account"),
        ]

    def __str__(self):
        return f"{self.run}: {self.account_id}: {self.reason[:60]}"
