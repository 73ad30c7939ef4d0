"""Estimates of products expected back (rights of return, IFRS 15.B20-B27)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from core.fields import TimestampField
from revrec.models.amounts import AMOUNT
from revrec.models.obligations import PerformanceObligation
from revrec.models.recognition import RecognitionRun
from revrec.models.variable import EstimateMethod


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
    created_at = TimestampField(auto_now_add=True)

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


class GoodsReturn(models.Model):
    """Products a customer sent back under a right of return (IFRS 15.B21, B25, IE Example
    22): the refund liability of their price is settled into the contract balance (which the
    credit note for them clears against the receivable) and the asset for their recovery
    becomes inventory. Posted when recorded, in the returns' own open month."""

    obligation = models.ForeignKey(PerformanceObligation, on_delete=models.PROTECT,
                                   related_name="goods_returns")
    estimate = models.ForeignKey(ReturnEstimate, on_delete=models.PROTECT, related_name="+",
                                 help_text="The estimate in force the return settled against.")
    quantity = models.DecimalField(max_digits=19, decimal_places=4)
    returned_on = models.DateField()
    refund = models.DecimalField(**AMOUNT, help_text="Price of the units (contract currency).")
    cost = models.DecimalField(**AMOUNT, help_text="Their carrying amount (contract currency).")
    refund_functional = models.DecimalField(**AMOUNT, help_text="Refund liability settled.")
    cost_functional = models.DecimalField(**AMOUNT, help_text="Return asset to inventory.")
    credit_note = models.OneToOneField("billing.CreditNote", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       help_text="The credit note for the units, once billing "
                                                 "has issued it.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["obligation", "returned_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                              name="goodsreturn_quantity_positive")]
        permissions = [("record_goods_return", "Can record goods returned")]

    def __str__(self):
        return f"{self.obligation}: {self.quantity.normalize():f} returned {self.returned_on}"
