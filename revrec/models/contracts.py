"""Revenue contracts, the recognition policy they were made under, and how each amendment
was accounted for (IFRS 15.20-21)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from catalog.revenue_schedule import Basis
from core.fields import TimestampField
from revrec.models.amounts import AMOUNT


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
    created_at = TimestampField(auto_now_add=True)

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
        """The recognition policy in force, as `catalog.revenue_schedule` reads it."""
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


class ModificationMember(models.Model):
    """One obligation of the new contract a 15.21(a) modification made (the termination of the
    old contract and the creation of a new one): a remaining obligation, which `carries` the
    unrecognized price of an obligation from before the modification (its own, or that of
    the one it succeeds), or goods the modification added below their standalone price.
    `allocated` is its share of the new contract's consideration (15.21(a), IE Example 6,
    IE38: Y's CU600 not recognized and Z's CU300 are CU450 each); a later change of variable
    consideration promised before the modification follows these shares (IE39)."""

    modification = models.ForeignKey(Modification, on_delete=models.PROTECT,
                                     related_name="members")
    obligation = models.ForeignKey("revrec.PerformanceObligation", on_delete=models.PROTECT,
                                   related_name="+")
    carries = models.ForeignKey("revrec.PerformanceObligation", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text="The obligation from before the modification whose "
                                          "unrecognized price it takes; empty for goods "
                                          "the modification added.")
    ssp = models.DecimalField("SSP at the modification", **AMOUNT)
    consideration = models.DecimalField(
        **AMOUNT, help_text="What it brings to the new contract: the unrecognized price it "
                            "carries, or the added goods' price.")
    allocated = models.DecimalField(**AMOUNT, help_text="Its 15.21(a) allocation.")

    class Meta:
        ordering = ["modification", "pk"]
        constraints = [models.UniqueConstraint(fields=["modification", "obligation"],
                                               name="one_membership_per_obligation")]

    def __str__(self):
        return f"{self.modification} member {self.obligation_id}"
