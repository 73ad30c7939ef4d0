"""Significant financing components (IFRS 15.60-65) and their monthly interest."""

from django.conf import settings
from django.db import models

from revrec.models.amounts import AMOUNT, plain
from revrec.models.obligations import PerformanceObligation
from revrec.models.recognition import RecognitionRun


class FinancingKind(models.TextChoices):
    EXPEDIENT = "expedient", "None: paid within a year of the transfer (IFRS 15.63)"
    ADVANCE = "advance", "Paid in advance: interest expense (IE Example 29)"
    ARREARS = "arrears", "Paid in arrears: interest income (IE Example 26)"
    MIXED = "mixed", "Paid before and after the transfer: interest expense, then income " \
                     "(IE Examples 29 and 26)"


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
    paid_on = models.DateField(help_text="The day of the payment (of the last instalment).")
    transferred_on = models.DateField()
    rate = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                               help_text="Annual rate of a separate financing transaction "
                                         "(15.64); none under the expedient. In a plan "
                                         "across the transfer, the advances' (the entity "
                                         "financed).")
    rate_after = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                     help_text="In a plan across the transfer, the rate of "
                                               "the instalments after it (the customer "
                                               "financed); none otherwise.")
    revenue = models.DecimalField(**AMOUNT, help_text="The obligation's price after it.")
    interest = models.DecimalField(**AMOUNT, help_text="All of its interest lines, expense and "
                                                       "income (each counted positive).")
    reason = models.TextField()
    instalments = models.JSONField(default=list, blank=True,
                                   help_text='[{"due_on": "2027-02-01", "amount": "207.50"}, '
                                             '...] when paid by instalments (IE Example 28).')
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
        return "" if self.rate is None else f"{plain(self.rate * 100, 4)}%"

    @property
    def rate_after_shown(self) -> str:
        return "" if self.rate_after is None else f"{plain(self.rate_after * 100, 4)}%"

    @property
    def plan_shown(self) -> str:
        """The payment terms in a few words: one payment on a day, or n instalments."""
        count = len(self.instalments)
        if count > 1:
            return f"{count} instalments to {self.paid_on:%Y-%m-%d}"
        return f"Paid {self.paid_on:%Y-%m-%d}"


class InterestLine(models.Model):
    """One month's interest of a financing component, expense (on advances) or income (on
    amounts due in arrears); recognized once, by one run."""

    component = models.ForeignKey(FinancingComponent, on_delete=models.CASCADE,
                                  related_name="interest_lines")
    kind = models.CharField(max_length=16, choices=FinancingKind.choices[1:3],
                            help_text="Advance: interest expense against the contract "
                                      "liability; arrears: income on the receivable.")
    month = models.DateField()
    amount = models.DecimalField(**AMOUNT)
    amount_functional = models.DecimalField(
        **AMOUNT, help_text="What its run posted (functional): its share, by largest remainder, "
                            "of the revenue contract's interest of the run at the run's rate.")
    run = models.ForeignKey(RecognitionRun, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="interest_lines")
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["component", "month"]
        constraints = [models.UniqueConstraint(fields=["component", "kind", "month"],
                                               name="interestline_one_per_kind_and_month")]
        indexes = [models.Index(fields=["run", "month"])]

    def __str__(self):
        return f"{self.component} {self.month:%Y-%m} {self.kind} {self.amount}"
