"""Material rights and prepaid credits (IFRS 15.B39-B47) and what happened to them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.fields import TimestampField
from revrec.models.amounts import AMOUNT, plain
from revrec.models.obligations import PerformanceObligation


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
        return f"{plain(self.discount_rate * 100, 4)}%"

    @property
    def likelihood_shown(self) -> str:
        return f"{plain(self.likelihood * 100, 4)}%"

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
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["right", "on", "pk"]

    def __str__(self):
        return f"{self.right} {self.kind} {self.on}"
