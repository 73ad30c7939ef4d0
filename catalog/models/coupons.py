from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from catalog import coupons
from catalog.models.price_books import currency_choices
from catalog.models.products import Product


class CouponDuration(models.TextChoices):
    ONCE = "once", "Once (the first billing period)"
    REPEATING = "repeating", "A number of billing periods"
    FOREVER = "forever", "Forever"


class Coupon(models.Model):
    """A code that takes a percentage or an amount off, with its limits (catalog.coupons)."""

    code = models.CharField(max_length=40, unique=True,
                            help_text="What the customer types; kept in capitals.")
    name = models.CharField(max_length=150, help_text="As shown on documents.")
    percent_off = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    amount_off = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True,
                                     validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(max_length=3, blank=True, choices=currency_choices,
                                help_text="The amount's currency (amount-off coupons only).")
    duration = models.CharField(max_length=16, choices=CouponDuration.choices,
                                default=CouponDuration.ONCE)
    periods = models.PositiveIntegerField(null=True, blank=True,
                                          help_text="Billing periods a repeating coupon runs.")
    max_redemptions = models.PositiveIntegerField(null=True, blank=True,
                                                  help_text="In all; empty: no limit.")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="Last day to redeem it.")
    products = models.ManyToManyField(Product, blank=True, related_name="coupons",
                                      help_text="Empty: every product.")
    currencies = models.CharField(max_length=100, blank=True,
                                  help_text="Codes separated by commas; empty: every currency.")
    stackable = models.BooleanField(default=True,
                                    help_text="Can be used together with other coupons.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_off__isnull=True, amount_off__isnull=False)
                | models.Q(percent_off__isnull=False, amount_off__isnull=True),
                name="coupon_percent_or_amount"),
        ]

    def __str__(self):
        return f"{self.code} ({self.name})"

    def currency_codes(self) -> frozenset[str]:
        return frozenset(c.strip().upper() for c in self.currencies.split(",") if c.strip())

    def terms(self, product_ids=None) -> coupons.CouponTerms:
        """The coupon as the pure module's input; pass `product_ids` for an unsaved coupon (or
        prefetch `products`)."""
        if product_ids is None:
            product_ids = [p.pk for p in self.products.all()] if self.pk else []
        return coupons.CouponTerms(
            code=self.code, percent_off=self.percent_off, amount_off=self.amount_off,
            currency=self.currency, duration=self.duration, periods=self.periods,
            max_redemptions=self.max_redemptions, valid_from=self.valid_from,
            valid_until=self.valid_until, product_ids=frozenset(product_ids),
            currencies=self.currency_codes(), stackable=self.stackable)

    def clean(self):
        self.code = (self.code or "").strip().upper()
        unknown = self.currency_codes() - {code for code, _ in currency_choices()}
        if unknown:
            raise ValidationError({"currencies": f"Unknown currency {', '.join(sorted(unknown))}."})
        try:
            self.terms(product_ids=())
        except ValueError as error:
            raise ValidationError(str(error).split("; ")) from None
