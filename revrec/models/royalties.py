"""Guaranteed minimums of usage- and sales-based royalties (IFRS 15.B63)."""

from django.conf import settings
from django.db import models

from revrec.models.amounts import AMOUNT
from revrec.models.obligations import PerformanceObligation


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
