"""Performance obligations, with the standalone selling prices they were allocated by
(the SSP table, IFRS 15.76-80) and how their price was reached."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from revrec.models.amounts import AMOUNT, plain
from revrec.models.contracts import RevenueContract


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
    # added below its SSP: a share of the modification's new contract (IFRS 15.21(a))
    MODIFICATION = "modification", "Share of a modification's new contract"
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
    units_before = models.DecimalField(
        max_digits=19, decimal_places=6, default=Decimal("0"),
        help_text="Units on an order delivered before a 15.21(a) modification made the rest "
                  "part of a new contract (0 otherwise).")
    earned_before = models.DecimalField(
        **AMOUNT, help_text="What those units earned at the allocation before it; the rest of "
                            "`allocated` is earned by the units delivered after.")

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
        return plain(self.ssp_periods, 4)

    @property
    def ssp_quantity_shown(self) -> str:
        return plain(self.ssp_quantity, 6)

    @property
    def given_up(self) -> Decimal:
        """The discount against its SSP (0 when allocated at or above it)."""
        return max(self.ssp - self.allocated, Decimal(0))

    @property
    def premium(self) -> Decimal:
        """What it was allocated above its SSP (0 when at or below it)."""
        return max(self.allocated - self.ssp, Decimal(0))
