"""Monthly schedule lines and the recognition runs that recognize them: chunks, items per
revenue contract and month, revenue rows and the runs' totals."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core import clock
from core.fields import TimestampField
from core.runs import Heartbeat
from revrec.models.amounts import AMOUNT
from revrec.models.contracts import RevenueContract
from revrec.models.obligations import Pattern, PerformanceObligation


class ScheduleLine(models.Model):
    # found by the (obligation, month) unique index: an index of its own would only be one
    # more to write for each line a recognition run marks; so would one on the run (lines are
    # read by their obligations, by the run's month only through the run: `run__month`), and
    # the open lines by month are indexed while open only (`open_by_month`), which a run's
    # marking then writes no entry in
    obligation = models.ForeignKey(PerformanceObligation, on_delete=models.CASCADE,
                                   related_name="schedule", db_index=False)
    month = models.DateField(help_text="First day of the month recognized in.")
    start_on = models.DateField()
    end_on = models.DateField(help_text="First day after the service in the month.")
    amount = models.DecimalField(**AMOUNT)
    run = models.ForeignKey("RecognitionRun", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="schedule_lines", db_index=False,
                            help_text="Set once recognized.")

    class Meta:
        ordering = ["obligation", "month"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "month"],
                                    name="scheduleline_one_per_month"),
        ]
        indexes = [models.Index(fields=["month"], condition=models.Q(run__isnull=True),
                                name="scheduleline_open_by_month")]

    def __str__(self):
        return f"{self.obligation_id} {self.month:%Y-%m} {self.amount}"


class RunState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class RecognitionRun(Heartbeat, ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    LIVE_STATES = (RunState.PENDING, RunState.RUNNING)

    month = models.DateField(unique=True, help_text="First day of the month recognized.")
    state = FSMField(default=RunState.PENDING, choices=RunState.choices, protected=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    contracts_total = models.PositiveIntegerField(default=0)
    contracts_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    # The month's totals (functional) of its items and revenue rows, added by each chunk in the
    # transaction that writes them (a chunk delivered twice adds nothing): what the roll-forward
    # and the disclosures read instead of summing every item of every month.
    recognized_functional = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    fx_difference = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    revenue_functional = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    refund_functional = models.DecimalField(
        max_digits=19, decimal_places=4, default=0,
        help_text="Moved from deferred revenue to the refund liability (ReturnEstimate).")
    financing_functional = models.DecimalField(
        max_digits=19, decimal_places=4, default=0,
        help_text="Interest added to contract balances: expense on advances (a liability "
                  "grows) less income in arrears (an asset grows).")
    error = models.TextField(blank=True)
    created_at = TimestampField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        permissions = [("run_recognition", "Can run revenue recognition")]

    def __str__(self):
        return f"Recognition {self.month:%B %Y}"

    @property
    def is_live(self) -> bool:
        """Still to finish (pending or running): its page keeps polling for progress."""
        return self.state in self.LIVE_STATES

    @property
    def progress_percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.state == RunState.COMPLETED else 0
        return int(100 * self.chunks_done / self.chunks_total)

    @transition(field=state, source=[RunState.PENDING, RunState.FAILED],
                target=RunState.RUNNING, permission="revrec.run_recognition")
    def start(self):
        self.error, self.heartbeat_at = "", clock.now()

    @transition(field=state, source=[RunState.RUNNING, RunState.COMPLETED],
                target=RunState.RUNNING, permission="revrec.run_recognition")
    def resume(self):
        """Queue the unfinished chunks again (a stalled run), or new ones for contracts
        still to recognize (a run completed before they were recognizable)."""
        self.finished_at, self.heartbeat_at = None, clock.now()

    @transition(field=state, source=RunState.RUNNING, target=RunState.COMPLETED,
                permission="revrec.run_recognition")
    def complete(self, *, at=None):
        self.finished_at = at

    @transition(field=state, source=RunState.RUNNING, target=RunState.FAILED,
                permission="revrec.run_recognition")
    def fail(self, *, error: str, at=None):
        self.error, self.finished_at = error, at


class RecognitionChunk(models.Model):
    """Revenue contracts with ids in [first_id, last_id] of one run. `finished_at` is set in the
    chunk's own transaction, so a chunk delivered twice finds itself done and does nothing; the
    run completes when no chunk is unfinished and nothing is left to recognize."""

    run = models.ForeignKey(RecognitionRun, on_delete=models.CASCADE, related_name="chunks")
    sequence = models.PositiveIntegerField()
    first_id = models.PositiveBigIntegerField()
    last_id = models.PositiveBigIntegerField()
    contracts_done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True,
                                       help_text="Empty while the chunk is still to do.")

    class Meta:
        ordering = ["run", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sequence"],
                                    name="recognitionchunk_unique_sequence"),
            models.CheckConstraint(condition=models.Q(last_id__gte=models.F("first_id")),
                                   name="recognitionchunk_range_ordered"),
        ]

    def __str__(self):
        return f"{self.run} chunk {self.sequence}"


class RecognizedTotal(models.Model):
    """What one run recognized per product family, pattern of transfer, currency (in the
    contracts' currency) and customer country: the schedule lines it marked, summed by the
    chunk that marked them.
    The disaggregation of revenue reads these, a few rows per month, not every line."""

    run = models.ForeignKey("RecognitionRun", on_delete=models.CASCADE, related_name="totals")
    family = models.CharField(max_length=100, blank=True)
    pattern = models.CharField(max_length=16, choices=Pattern.choices)
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2, blank=True)
    amount = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["run", "family", "pattern", "currency", "country"]
        constraints = [
            models.UniqueConstraint(fields=["run", "family", "pattern", "currency", "country"],
                                    name="recognizedtotal_one_per_kind_and_country"),
        ]

    def __str__(self):
        return f"{self.run} {self.family or 'no family'} {self.pattern} {self.currency}"


class RecognitionItem(models.Model):
    """What one run did for one revenue contract: the revenue it recognized and the contract's
    position after it (billed against recognized, as liability or asset), in the functional
    currency, with the journal entries posted."""

    # db_constraint=False on the references of items and revenue rows: checked per statement,
    # not per row (core.references, migration 0020); a run writes one item per contract.
    # The revenue contract is found by the (revenue contract, month) unique index, and only
    # items of runs before revrec 0020 name a reclass entry: no index of their own to write
    run = models.ForeignKey(RecognitionRun, on_delete=models.PROTECT, related_name="items",
                            db_constraint=False)
    revenue_contract = models.ForeignKey(RevenueContract, on_delete=models.PROTECT,
                                         related_name="items", db_constraint=False,
                                         db_index=False)
    month = models.DateField()
    recognized = models.DecimalField(**AMOUNT, help_text="In the contract's currency.")
    recognized_functional = models.DecimalField(**AMOUNT)
    fx_difference = models.DecimalField(
        **AMOUNT, help_text="Exchange difference on revenue recognized before (functional; a "
                            "gain when positive), posted to realized FX.")
    recognized_to_date = models.DecimalField(**AMOUNT)
    recognized_to_date_functional = models.DecimalField(**AMOUNT)
    billed_to_date = models.DecimalField(**AMOUNT)
    billed_to_date_functional = models.DecimalField(**AMOUNT)
    contract_asset = models.DecimalField(
        **AMOUNT, help_text="Unbilled receivable after the run (functional); 0 when billed "
                            "ahead of recognition.")
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_constraint=False)
    reclass_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False, db_index=False,
        help_text="Runs before revrec 0020 posted the contract asset reclass in an entry of its "
                  "own; since, `entry` holds it.")

    class Meta:
        ordering = ["run", "revenue_contract"]
        constraints = [
            models.UniqueConstraint(fields=["revenue_contract", "month"],
                                    name="recognitionitem_once_per_month"),
        ]
        indexes = [models.Index(fields=["reclass_entry"],
                                condition=models.Q(reclass_entry__isnull=False),
                                name="recognitionitem_reclass_entry")]

    def __str__(self):
        return f"{self.revenue_contract} {self.month:%Y-%m}"

    @property
    def contract_liability(self) -> Decimal:
        return max(self.billed_to_date_functional - self.recognized_to_date_functional,
                   Decimal(0))


class RecognizedRevenue(models.Model):
    """One run's revenue for one revenue contract and product family (the revenue lines)."""

    # found by the (item, family) unique index
    item = models.ForeignKey(RecognitionItem, on_delete=models.CASCADE, related_name="revenue",
                             db_constraint=False, db_index=False)
    family = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(**AMOUNT, help_text="In the contract's currency.")
    amount_functional = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["item", "family"]
        constraints = [
            models.UniqueConstraint(fields=["item", "family"],
                                    name="recognizedrevenue_one_per_family"),
        ]

    def __str__(self):
        return f"{self.item} {self.family or 'no family'} {self.amount}"
