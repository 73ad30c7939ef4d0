"""Estimates of variable consideration (IFRS 15.50-59): each re-estimate a new version."""

from django.conf import settings
from django.db import models

from core.fields import TimestampField
from revrec.models.contracts import RevenueContract


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
    created_at = TimestampField(auto_now_add=True)

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
