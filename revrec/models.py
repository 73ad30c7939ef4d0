"""Revenue contracts (ASC 606 / IFRS 15), their performance obligations and monthly schedules, and
the recognition runs that post them.

- A revenue contract records the recognition policy it was made under (basis, rounding
  remainder, a mid-month end: `revrec.schedules.Basis`), copied from the settings' defaults
  (`revrec.policies`); its schedules are built under it.
- A revenue contract is made per activated contract (kind `original`), and one more per
  amendment that adds distinct goods at their standalone price (kind `separate`). Other
  amendments modify the original prospectively.
- Its transaction price is the fixed consideration (`transaction_price`, the charge schedules'
  rows) plus the constrained estimate of variable consideration in force
  (`variable_consideration`, the latest `VariableConsideration`), allocated to the obligations
  (each one's `variable` part of `allocated`); see `revrec.services.variable`.
- One performance obligation per distinct contract line (a bundle's components each get one;
  the bundle's own line carries the price only). An amendment ends a line and starts a new one:
  the old obligation keeps what it earned, the new one takes the rest plus the change
  (`predecessor` links them, so the history stays readable).
- Schedule lines are monthly; a line is recognized once, by one run (`run`), and never changes
  after that: later changes are caught up in the first month not yet recognized.
- A recognition run covers one month: pending → running → completed | failed (a failed run
  resumes). Items are unique per revenue contract and month, so a rerun posts nothing twice.
- The accountant's judgements beyond the price: material rights and prepaid credits
  (`MaterialRight`, its `RightEvent`s; an obligation earned on redemption), rights of return
  (`ReturnEstimate`), financing components (`FinancingComponent`, its `InterestLine`s) and
  guaranteed minimums of usage (`GuaranteedMinimum`); each names the IFRS 15 paragraphs it
  applies, and the recognition run posts what they change.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.runs import Heartbeat
from revrec.schedules import Basis

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}


class RevenueContractKind(models.TextChoices):
    ORIGINAL = "original", "Original contract"
    SEPARATE = "separate", "Amendment as a separate contract"


class RecognitionBasis(models.TextChoices):
    BY_DAY = "by_day", "By day (each day of service earns the same)"
    BY_MONTH = "by_month", "By month (whole months equal, partial months by days)"


class RemainderTo(models.TextChoices):
    LARGEST_REMAINDER = "largest_remainder", "Largest remainder"
    LAST_PERIOD = "last_period", "Last period"


class MidMonthEnd(models.TextChoices):
    SERVICE_END = "service_end", "Up to the service end date"
    MONTH_END = "month_end", "As if it ran to the month end"


class RevenueContract(models.Model):
    number = models.CharField(max_length=32, unique=True, help_text="RC-<contract>-<n>")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="+")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2, blank=True,
                               help_text="The customer's country when it was made (ISO 3166): "
                                         "its market in the disaggregation of revenue.")
    kind = models.CharField(max_length=16, choices=RevenueContractKind.choices,
                            default=RevenueContractKind.ORIGINAL)
    transaction_price = models.DecimalField(
        **AMOUNT, help_text="Fixed consideration: what the lines' charge schedules charge, the "
                            "rows in force (credits included); usage aside.")
    variable_consideration = models.DecimalField(
        **AMOUNT, help_text="The constrained amount of the estimate in force "
                            "(VariableConsideration, latest version).")
    expected_refunds = models.DecimalField(
        **AMOUNT, help_text="Consideration expected to be refunded for products expected back "
                            "(the latest ReturnEstimate of each obligation): not revenue.")
    financing = models.DecimalField(
        **AMOUNT, help_text="What significant financing components add to the price (interest "
                            "on advances) or take off it (interest in arrears).")
    recognition_basis = models.CharField(max_length=16, choices=RecognitionBasis.choices,
                                         default=RecognitionBasis.BY_DAY)
    remainder_to = models.CharField(
        max_length=20, choices=RemainderTo.choices, default=RemainderTo.LARGEST_REMAINDER,
        help_text="Which month takes the rounding remainder of a ratable schedule.")
    mid_month_end = models.CharField(
        max_length=16, choices=MidMonthEnd.choices, default=MidMonthEnd.SERVICE_END,
        help_text="How the last month of a service ending mid-month is weighed.")
    created_on = models.DateField()
    modified_on = models.DateField(null=True, blank=True,
                                   help_text="Last prospective modification.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract"],
                                    condition=models.Q(kind="original"),
                                    name="revenuecontract_one_original_per_contract"),
        ]
        permissions = [
            ("create_revenue_contracts", "Can create and update revenue contracts"),
        ]

    def __str__(self):
        return self.number

    @property
    def total_price(self) -> Decimal:
        """The transaction price: fixed plus variable consideration in force, less the refunds
        expected for products expected back (IFRS 15.B21)."""
        return (self.transaction_price + self.variable_consideration - self.expected_refunds
                + self.financing)

    @property
    def basis(self) -> Basis:
        """The recognition policy in force, as `revrec.schedules` reads it."""
        return Basis(self.recognition_basis, self.remainder_to, self.mid_month_end)


class Treatment(models.TextChoices):
    SEPARATE = "separate", "Separate contract (IFRS 15.20)"
    PROSPECTIVE = "prospective", "Prospective (IFRS 15.21(a))"
    CATCH_UP = "catch_up", "Cumulative catch-up (IFRS 15.21(b))"


class Modification(models.Model):
    """How an amendment was accounted for, with the tests that chose it (IFRS 15.20-21):
    distinct goods added at their standalone prices make a separate contract; otherwise the
    rest of the service, distinct from what was delivered (a series of distinct periods,
    IFRS 15.22(b)), is modified prospectively; an accountant may choose a cumulative catch-up
    instead, with a reason (or back), while it can still be applied."""

    revenue_contract = models.ForeignKey(RevenueContract, on_delete=models.PROTECT,
                                         related_name="modifications")
    amendment = models.OneToOneField("contracts.Amendment", on_delete=models.PROTECT,
                                     related_name="+")
    effective_on = models.DateField()
    treatment = models.CharField(max_length=16, choices=Treatment.choices)
    adds_distinct = models.BooleanField(help_text="Only adds goods distinct from the "
                                                  "contract's (15.20(a)).")
    priced_at_ssp = models.BooleanField(help_text="Each added good priced at or above its "
                                                  "standalone selling price (15.20(b)).")
    remaining_distinct = models.BooleanField(help_text="What is left to deliver is distinct "
                                                       "from what was delivered (15.21(a)).")
    evidence = models.TextField()
    decided_on = models.DateField()
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["revenue_contract", "effective_on", "pk"]

    def __str__(self):
        return f"{self.revenue_contract} {self.effective_on} {self.treatment}"


class VariableKind(models.TextChoices):
    VOLUME_REBATE = "volume_rebate", "Volume rebate"
    PRICE_CONCESSION = "price_concession", "Price concession"
    PERFORMANCE_BONUS = "performance_bonus", "Performance bonus or penalty"
    USAGE_TRUE_UP = "usage_true_up", "Usage true-up"


class EstimateMethod(models.TextChoices):
    EXPECTED_VALUE = "expected_value", "Expected value (IFRS 15.53(a))"
    MOST_LIKELY = "most_likely", "Most likely amount (IFRS 15.53(b))"


class VariableConsideration(models.Model):
    """One estimate of a revenue contract's variable consideration (`revrec.variable`); each
    re-estimate is a new version and the latest is in force. `constrained` is what the
    transaction price includes (15.56); it is allocated by relative SSP to the open obligations,
    or wholly to `allocated_to` when 15.85 allows (`allocation_reason`)."""

    revenue_contract = models.ForeignKey(RevenueContract, on_delete=models.PROTECT,
                                         related_name="variable_estimates")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=VariableKind.choices)
    method = models.CharField(max_length=16, choices=EstimateMethod.choices)
    scenarios = models.JSONField(help_text='[{"amount": "100.00", "probability": "0.5"}, ...]')
    estimate = models.DecimalField(max_digits=19, decimal_places=4)
    constrained = models.DecimalField(
        max_digits=19, decimal_places=4,
        help_text="Included in the transaction price: a significant reversal is highly "
                  "probable not to occur up to it.")
    constraint_reason = models.TextField()
    allocated_to = models.ForeignKey("PerformanceObligation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    allocation_reason = models.TextField(blank=True)
    reason = models.TextField(help_text="Why estimated (or re-estimated) so.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revenue_contract", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["revenue_contract", "version"],
                                    name="variableconsideration_one_per_version"),
            models.CheckConstraint(condition=models.Q(constrained__lte=models.F("estimate")),
                                   name="variableconsideration_constrained_within_estimate"),
        ]
        permissions = [("estimate_variable_consideration",
                        "Can estimate variable consideration")]

    def __str__(self):
        return f"{self.revenue_contract} variable v{self.version}"


class Pattern(models.TextChoices):
    RATABLE = "ratable", "Ratably over the service period"
    POINT_IN_TIME = "point_in_time", "At a point in time"
    AS_BILLED = "as_billed", "As billed (usage)"
    ON_REDEMPTION = "on_redemption", "As rights are exercised (material rights)"


class ObligationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ENDED = "ended", "Ended"  # stopped by an amendment or a termination


class SSPBasis(models.TextChoices):
    """The catalog's bases (catalog.SSPBasis), and `list` when no SSP was found."""

    PER_MONTH = "per_month", "per month"
    PER_YEAR = "per_year", "per year"
    ONE_TIME = "one_time", "one-time"
    LIST = "list", "estimated at the list price"


class SSPMethod(models.TextChoices):
    """How a standalone selling price was estimated (IFRS 15.77-79, ASC 606-10-32-33/34)."""

    OBSERVABLE = "observable", "Observable price"  # 15.77: sold separately
    ADJUSTED_MARKET = "adjusted_market", "Adjusted market assessment"  # 15.79(a)
    COST_PLUS_MARGIN = "cost_plus_margin", "Expected cost plus a margin"  # 15.79(b)
    RESIDUAL = "residual", "Residual"  # 15.79(c): highly variable or uncertain price


class StandalonePrice(models.Model):
    """The SSP table: per product, currency and term basis, the point estimate, its range (low
    to high) and the method behind it. Allocation reads it before the catalog's single SSP; a
    residual entry has no point: the price left after the other obligations' SSPs is its SSP,
    and its range (when given) is what the residual must fall in (IFRS 15 IE Example 34)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE,
                                related_name="+")
    currency = models.CharField(max_length=3)
    basis = models.CharField(max_length=16, choices=SSPBasis.choices[:3],
                             help_text="Per month or per year (scaled to the line's term), or "
                                       "one-time (per unit).")
    amount = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True,
                                 help_text="Per unit on the basis; empty for a residual.")
    low = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True)
    method = models.CharField(max_length=20, choices=SSPMethod.choices)
    evidence = models.CharField(max_length=255, blank=True,
                                help_text="What the estimate rests on (sales analysed, costs).")

    class Meta:
        ordering = ["product", "currency", "basis"]
        verbose_name = "standalone selling price"
        constraints = [
            models.UniqueConstraint(fields=["product", "currency", "basis"],
                                    name="standaloneprice_one_per_basis"),
            models.CheckConstraint(
                condition=models.Q(method="residual") | models.Q(amount__isnull=False),
                name="standaloneprice_amount_unless_residual"),
            models.CheckConstraint(
                condition=(models.Q(low__isnull=True) | models.Q(high__isnull=True)
                           | models.Q(low__lte=models.F("high"))),
                name="standaloneprice_low_not_above_high"),
            models.CheckConstraint(
                condition=(models.Q(amount__isnull=True) | models.Q(low__isnull=True)
                           | models.Q(high__isnull=True)
                           | models.Q(low__lte=models.F("amount"),
                                      high__gte=models.F("amount"))),
                name="standaloneprice_amount_within_range"),
        ]

    def __str__(self):
        return f"SSP {self.product_id} {self.currency} {self.basis} ({self.method})"


class AllocationRule(models.TextChoices):
    """How an obligation's `allocated` was reached (the revenue contract page says it in words)."""

    RELATIVE_SSP = "relative_ssp", "Relative SSP"  # its share of `pool` by SSP
    BUNDLE = "bundle", "Share of its bundle's price"  # relative SSP within the bundle (32-37)
    AT_SSP = "at_ssp", "At its SSP"  # the discount belongs to other obligations (32-37)
    OWN_PRICE = "own_price", "Its own price"  # added by an amendment (25-12, 25-13a)
    PROSPECTIVE = "prospective", "Rest of its predecessor plus the change"  # 25-13a
    AS_BILLED = "as_billed", "Recognized as billed"  # usage (32-40)
    CARVED_OUT = "carved_out", "Share of its goods' price"  # a material right (15.74, B40)


class PerformanceObligation(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    revenue_contract = models.ForeignKey(RevenueContract, on_delete=models.PROTECT,
                                         related_name="obligations")
    contract_line = models.OneToOneField(
        "contracts.ContractLine", on_delete=models.PROTECT, null=True, blank=True,
        related_name="revenue_obligation",
        help_text="Empty for a material right (its `MaterialRight` says what was granted).")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    family = models.CharField(max_length=100, blank=True)
    pattern = models.CharField(max_length=16, choices=Pattern.choices)
    ssp = models.DecimalField(**AMOUNT, help_text="Standalone selling price over the term.")
    ssp_unit = models.DecimalField(max_digits=19, decimal_places=6, null=True, blank=True,
                                   help_text="The catalog SSP per unit on its basis (the line's "
                                             "list amount when estimated).")
    ssp_basis = models.CharField(max_length=16, choices=SSPBasis.choices, blank=True)
    ssp_quantity = models.DecimalField(max_digits=19, decimal_places=6, null=True, blank=True)
    ssp_periods = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True,
        help_text="How many of the basis the term holds (rounded for display; `ssp` is "
                  "computed from the exact figure).")
    ssp_method = models.CharField(max_length=20, choices=SSPMethod.choices, blank=True,
                                  help_text="Empty: the catalog's SSP or the list price.")
    ssp_low = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True,
                                  help_text="The SSP range's low end over the term.")
    ssp_high = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True)
    allocated = models.DecimalField(**AMOUNT, help_text="Transaction price allocated to it "
                                                        "(0 for usage, recognized as billed).")
    allocation_rule = models.CharField(max_length=16, choices=AllocationRule.choices,
                                       blank=True)
    variable = models.DecimalField(**AMOUNT, help_text="The part of `allocated` that is "
                                                       "variable consideration in force.")
    pool = models.DecimalField(**AMOUNT, help_text="The price shared by relative SSP among "
                                                   "the obligations it was allocated with.")
    pool_ssp = models.DecimalField(**AMOUNT, help_text="Their standalone selling prices, "
                                                       "added up.")
    service_start = models.DateField()
    service_end = models.DateField(help_text="First day without service (exclusive).")
    status = FSMField(max_length=16, choices=ObligationStatus.choices,
                      default=ObligationStatus.OPEN, protected=True)
    ended_on = models.DateField(null=True, blank=True)
    predecessor = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="successor")

    class Meta:
        ordering = ["revenue_contract", "contract_line__position", "pk"]
        permissions = [
            ("end_performanceobligation", "Can end performance obligations (amendments and "
                                          "terminations)"),
        ]

    def __str__(self):
        return f"{self.revenue_contract} · {self.product_id} ({self.get_pattern_display()})"

    @transition(field=status, source=ObligationStatus.OPEN, target=ObligationStatus.ENDED,
                permission="revrec.end_performanceobligation")
    def end(self, *, effective):
        """An amendment replaced its line or a termination stopped it from `effective` (run in
        bulk)."""
        self.ended_on = effective

    @property
    def outside_range(self) -> bool:
        """Allocated below the low end or above the high end of its SSP range."""
        return ((self.ssp_low is not None and self.allocated < self.ssp_low)
                or (self.ssp_high is not None and self.allocated > self.ssp_high))

    @property
    def discount(self) -> Decimal:
        """What it gave up against its SSP; negative for a premium (see `against_ssp`)."""
        return self.ssp - self.allocated

    @property
    def share(self) -> Decimal | None:
        """Its SSP over the SSPs of the obligations it shared `pool` with."""
        return self.ssp / self.pool_ssp if self.pool_ssp else None

    @property
    def share_percent(self) -> Decimal | None:
        share = self.share
        return None if share is None else (share * 100).quantize(Decimal("0.01"),
                                                                 rounding=ROUND_HALF_UP)

    @property
    def ssp_periods_shown(self) -> str:
        """How many of the basis the term holds, without trailing zeros (12, 1.5, 10.4839)."""
        return _plain(self.ssp_periods, 4)

    @property
    def ssp_quantity_shown(self) -> str:
        return _plain(self.ssp_quantity, 6)

    @property
    def given_up(self) -> Decimal:
        """The discount against its SSP (0 when allocated at or above it)."""
        return max(self.ssp - self.allocated, Decimal(0))

    @property
    def premium(self) -> Decimal:
        """What it was allocated above its SSP (0 when at or below it)."""
        return max(self.allocated - self.ssp, Decimal(0))


def _plain(value: Decimal | None, places: int) -> str:
    """60, not 6E+1 nor 60.000000."""
    return "" if value is None else f"{round(value, places).normalize():f}"


class ScheduleLine(models.Model):
    obligation = models.ForeignKey(PerformanceObligation, on_delete=models.CASCADE,
                                   related_name="schedule")
    month = models.DateField(help_text="First day of the month recognized in.")
    start_on = models.DateField()
    end_on = models.DateField(help_text="First day after the service in the month.")
    amount = models.DecimalField(**AMOUNT)
    run = models.ForeignKey("RecognitionRun", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="schedule_lines", help_text="Set once recognized.")

    class Meta:
        ordering = ["obligation", "month"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "month"],
                                    name="scheduleline_one_per_month"),
        ]
        indexes = [models.Index(fields=["month", "run"])]

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
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        permissions = [("run_recognition", "Can run revenue recognition")]

    def __str__(self):
        return f"Recognition {self.month:%B %Y}"

    @property
    def progress_percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.state == RunState.COMPLETED else 0
        return int(100 * self.chunks_done / self.chunks_total)

    @transition(field=state, source=[RunState.PENDING, RunState.FAILED],
                target=RunState.RUNNING, permission="revrec.run_recognition")
    def start(self):
        self.error, self.heartbeat_at = "", timezone.now()

    @transition(field=state, source=[RunState.RUNNING, RunState.COMPLETED],
                target=RunState.RUNNING, permission="revrec.run_recognition")
    def resume(self):
        """Queue the unfinished chunks again (a stalled run), or new ones for contracts
        still to recognize (a run completed before they were recognizable)."""
        self.finished_at, self.heartbeat_at = None, timezone.now()

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

    run = models.ForeignKey(RecognitionRun, on_delete=models.PROTECT, related_name="items")
    revenue_contract = models.ForeignKey(RevenueContract, on_delete=models.PROTECT,
                                         related_name="items")
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
                              on_delete=models.PROTECT, related_name="+")
    reclass_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["run", "revenue_contract"]
        constraints = [
            models.UniqueConstraint(fields=["revenue_contract", "month"],
                                    name="recognitionitem_once_per_month"),
        ]

    def __str__(self):
        return f"{self.revenue_contract} {self.month:%Y-%m}"

    @property
    def contract_liability(self) -> Decimal:
        return max(self.billed_to_date_functional - self.recognized_to_date_functional,
                   Decimal(0))


class RecognizedRevenue(models.Model):
    """One run's revenue for one revenue contract and product family (the revenue lines)."""

    item = models.ForeignKey(RecognitionItem, on_delete=models.CASCADE, related_name="revenue")
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


class RightKind(models.TextChoices):
    OPTION = "option", "Option for additional goods at a discount"  # IE Example 49
    VOUCHER = "voucher", "Voucher"
    LOYALTY_POINTS = "loyalty_points", "Loyalty points"  # IE Example 52
    PREPAID = "prepaid", "Prepaid credits or gift card"  # B44-B47: the goods themselves


class RightState(models.TextChoices):
    OPEN = "open", "Open"
    EXPIRED = "expired", "Expired"


class MaterialRight(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """An option the contract grants that the customer would not get without it (IFRS 15.B40):
    a performance obligation (`obligation`, pattern on redemption) whose SSP is the incremental
    discount on `value` of purchases × the likelihood of exercise (B42, `revrec.rights`). Its
    allocation is carved out of the goods it came with; it earns as the rights are exercised
    over the rights expected to be (breakage in proportion, B46), all of it when it expires.
    `units_redeemed` and `units_expected` move only with a `RightEvent`."""

    obligation = models.OneToOneField(PerformanceObligation, on_delete=models.PROTECT,
                                      related_name="material_right")
    kind = models.CharField(max_length=20, choices=RightKind.choices)
    description = models.CharField(max_length=200)
    units = models.DecimalField(max_digits=19, decimal_places=4,
                                help_text="Rights granted (1 voucher, 10,000 points).")
    value = models.DecimalField(max_digits=19, decimal_places=4,
                                help_text="Purchases the rights apply to, at full price.")
    discount_rate = models.DecimalField(
        max_digits=7, decimal_places=6,
        help_text="The discount beyond the one any customer gets (B42(a)), 0.3 for 30%.")
    likelihood = models.DecimalField(max_digits=7, decimal_places=6,
                                     help_text="Likelihood the option is exercised (B42(b)).")
    units_expected = models.DecimalField(
        max_digits=19, decimal_places=4,
        help_text="Rights expected to be exercised; the rest is the expected breakage (B46).")
    units_redeemed = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    expires_on = models.DateField(help_text="Last day the rights can be exercised.")
    evidence = models.TextField(help_text="Why it is a material right and what the "
                                          "estimates rest on.")
    state = FSMField(max_length=16, choices=RightState.choices, default=RightState.OPEN,
                     protected=True)
    expired_on = models.DateField(null=True, blank=True, help_text="The last day it could be "
                                                                    "exercised, once expired.")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    granted_on = models.DateField()

    class Meta:
        ordering = ["obligation"]
        constraints = [
            models.CheckConstraint(condition=models.Q(units__gt=0),
                                   name="materialright_units_positive"),
            models.CheckConstraint(condition=models.Q(units_redeemed__gte=0,
                                                      units_redeemed__lte=models.F("units")),
                                   name="materialright_redeemed_within_units"),
            models.CheckConstraint(condition=models.Q(units_expected__gte=0,
                                                      units_expected__lte=models.F("units")),
                                   name="materialright_expected_within_units"),
        ]
        permissions = [("account_material_rights",
                        "Can identify material rights and account for their exercise")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def breakage(self) -> Decimal:
        """Rights expected never to be exercised (B46)."""
        return self.units - self.units_expected

    @property
    def discount_shown(self) -> str:
        return f"{_plain(self.discount_rate * 100, 4)}%"

    @property
    def likelihood_shown(self) -> str:
        return f"{_plain(self.likelihood * 100, 4)}%"

    @transition(field=state, source=RightState.OPEN, target=RightState.EXPIRED,
                permission="revrec.account_material_rights")
    def expire(self, *, effective):
        """The rights left can no longer be exercised after `effective` (their last day): what
        is left of the right is earned (run in bulk)."""
        self.expired_on = effective


class RightEventKind(models.TextChoices):
    GRANTED = "granted", "Granted"
    REDEEMED = "redeemed", "Exercised"
    RE_ESTIMATED = "re_estimated", "Re-estimated"
    EXPIRED = "expired", "Expired"


class RightEvent(models.Model):
    """One thing that happened to a material right, with what it had earned to date after it
    and the month of the schedule line that carries the difference."""

    right = models.ForeignKey(MaterialRight, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=RightEventKind.choices)
    units = models.DecimalField(max_digits=19, decimal_places=4, default=0,
                                help_text="Rights exercised by this event (0 for the others).")
    units_redeemed = models.DecimalField(max_digits=19, decimal_places=4)
    units_expected = models.DecimalField(max_digits=19, decimal_places=4)
    earned_to_date = models.DecimalField(**AMOUNT)
    change = models.DecimalField(**AMOUNT, help_text="Scheduled by this event.")
    month = models.DateField(help_text="The month the change is recognized in.")
    on = models.DateField()
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["right", "on", "pk"]

    def __str__(self):
        return f"{self.right} {self.kind} {self.on}"


class ReturnEstimate(models.Model):
    """One estimate of the products a customer is expected to return (IFRS 15.B20-B27,
    `revrec.returns`), per point-in-time obligation; each re-estimate is a new version and the
    latest is in force. The obligation is allocated the price of the units kept (`gross` less
    `refund`). The first recognition run of a month at or after the estimate and the goods'
    transfer posts the change since the version posted before: deferred revenue to the refund
    liability, and the asset for the products to be recovered against cost of sales."""

    obligation = models.ForeignKey(PerformanceObligation, on_delete=models.PROTECT,
                                   related_name="return_estimates")
    version = models.PositiveIntegerField()
    method = models.CharField(max_length=16, choices=EstimateMethod.choices)
    scenarios = models.JSONField(help_text='[{"amount": "3", "probability": "0.6"}, ...] '
                                           "(units returned)")
    units_sold = models.DecimalField(max_digits=19, decimal_places=4)
    units_returned = models.DecimalField(max_digits=19, decimal_places=4,
                                         help_text="Expected back (the estimate).")
    unit_cost = models.DecimalField(max_digits=19, decimal_places=4,
                                    help_text="Carrying amount of one unit (contract currency).")
    gross = models.DecimalField(**AMOUNT, help_text="The obligation's price before returns.")
    refund = models.DecimalField(**AMOUNT, help_text="Refund liability (B21(b)).")
    asset = models.DecimalField(**AMOUNT, help_text="Right to recover the products (B21(c)).")
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_on = models.DateField()
    posted_in = models.ForeignKey(RecognitionRun, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="return_estimates",
                                  help_text="The run that posted it (or found it superseded).")
    refund_functional = models.DecimalField(**AMOUNT, help_text="Change of the refund "
                                                                "liability it posted.")
    asset_functional = models.DecimalField(**AMOUNT, help_text="Change of the asset it posted.")
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["obligation", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "version"],
                                    name="returnestimate_one_per_version"),
            models.CheckConstraint(condition=models.Q(units_returned__gte=0,
                                                      units_returned__lte=models.F("units_sold")),
                                   name="returnestimate_returned_within_sold"),
        ]
        indexes = [models.Index(fields=["posted_in", "recorded_on"])]

    def __str__(self):
        return f"{self.obligation} returns v{self.version}"

    @property
    def revenue(self) -> Decimal:
        """The price of the units expected to be kept (B21(a))."""
        return self.gross - self.refund


class FinancingKind(models.TextChoices):
    EXPEDIENT = "expedient", "None: paid within a year of the transfer (IFRS 15.63)"
    ADVANCE = "advance", "Paid in advance: interest expense (IE Example 29)"
    ARREARS = "arrears", "Paid in arrears: interest income (IE Example 26)"


class FinancingComponent(models.Model):
    """The accountant's judgement on the timing of payment for one obligation (IFRS 15.60-65,
    `revrec.financing`): none within a year (the practical expedient, on record), else the
    rate of a separate financing transaction, the revenue with the financing taken out and the
    interest accrued month by month (`InterestLine`), posted by the recognition run."""

    obligation = models.OneToOneField(PerformanceObligation, on_delete=models.PROTECT,
                                      related_name="financing")
    kind = models.CharField(max_length=16, choices=FinancingKind.choices)
    amount = models.DecimalField(**AMOUNT, help_text="The payment (advance) or the amount "
                                                     "payable (arrears).")
    paid_on = models.DateField()
    transferred_on = models.DateField()
    rate = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                               help_text="Annual rate of a separate financing transaction "
                                         "(15.64); none under the expedient.")
    revenue = models.DecimalField(**AMOUNT, help_text="The obligation's price after it.")
    interest = models.DecimalField(**AMOUNT)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["obligation"]
        permissions = [("assess_financing", "Can assess significant financing components")]

    def __str__(self):
        return f"{self.obligation} {self.kind}"

    @property
    def rate_shown(self) -> str:
        return "" if self.rate is None else f"{_plain(self.rate * 100, 4)}%"


class InterestLine(models.Model):
    """One month's interest of a financing component; recognized once, by one run."""

    component = models.ForeignKey(FinancingComponent, on_delete=models.CASCADE,
                                  related_name="interest_lines")
    month = models.DateField()
    amount = models.DecimalField(**AMOUNT)
    run = models.ForeignKey(RecognitionRun, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="interest_lines")
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["component", "month"]
        constraints = [models.UniqueConstraint(fields=["component", "month"],
                                               name="interestline_one_per_month")]
        indexes = [models.Index(fields=["run", "month"])]

    def __str__(self):
        return f"{self.component} {self.month:%Y-%m} {self.amount}"


class GuaranteedMinimum(models.Model):
    """A usage- or sales-based royalty with a fixed floor (IFRS 15.B63, `revrec.royalties`): the
    minimum is fixed consideration allocated to the usage obligation and recognized ratably
    over its service; usage is revenue only beyond it, month by month in the recognition run."""

    obligation = models.OneToOneField(PerformanceObligation, on_delete=models.PROTECT,
                                      related_name="guaranteed_minimum")
    amount = models.DecimalField(**AMOUNT)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["obligation"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                              name="guaranteedminimum_positive")]

    def __str__(self):
        return f"{self.obligation} minimum {self.amount}"
