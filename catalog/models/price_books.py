from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from catalog import pricing, rounding, transaction_fees
from catalog import tiers as tiers_module
from catalog.models.products import Product, ProductKind
from catalog.proration import Granularity
from catalog.tax import InclusiveRounding, TaxRounding
from core.fields import TimestampField


def currency_choices():
    return [(code, code) for code in settings.CURRENCIES]


class PriceModel(models.TextChoices):
    FLAT = "flat", "Flat fee"
    PER_UNIT = "per_unit", "Per unit"
    GRADUATED = "graduated", "Graduated tiers"
    VOLUME = "volume", "Volume tiers"
    PACKAGE = "package", "Package"
    PERCENT = "percent", "Percentage of other lines"
    TRANSACTION = "transaction", "Percentage of each transaction, plus a fee per transaction"


class BillingPeriod(models.TextChoices):
    ONE_TIME = "one_time", "One-time"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMI_ANNUAL = "semi_annual", "Semi-annual"
    ANNUAL = "annual", "Annual"
    TERM = "term", "Whole term, billed once"


INCLUSIVE_ROUNDING_CHOICES = [
    (InclusiveRounding.TAX_FIRST.value, "Tax rounded first (the net is the rest)"),
    (InclusiveRounding.NET_FIRST.value, "Net rounded first (the tax is the rest)")]
ROUNDING_MODE_CHOICES = [(rounding.RoundingMode.HALF_UP.value, "Half up (away from zero)"),
                         (rounding.RoundingMode.HALF_EVEN.value, "Half even (to the even digit)")]


class PriceBook(models.Model):
    """Prices in one currency over a span of dates; the standard book is what quotes start from."""

    name = models.CharField(max_length=100, unique=True)
    currency = models.CharField(max_length=3, choices=currency_choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Last day; empty: open.")
    prices_include_tax = models.BooleanField(default=False)
    is_standard = models.BooleanField("standard", default=True,
                                      help_text="The book new quotes in this currency use.")
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    rounding_mode = models.CharField(
        max_length=16, choices=ROUNDING_MODE_CHOICES,
        default=rounding.RoundingMode.HALF_UP,
        help_text="How a line amount on the half cent is rounded: half up (away from zero, "
                  "the same for credits) or half even (to the even cent).")
    tax_rounding = models.CharField(
        max_length=16, blank=True, choices=[(TaxRounding.PER_LINE.value, "Per line"),
                                            (TaxRounding.PER_DOCUMENT.value, "Per document")],
        help_text="Where tax is rounded on documents priced from this book; empty: the "
                  "company default.")
    cash_rounding_step = models.DecimalField(
        max_digits=9, decimal_places=4, null=True, blank=True,
        help_text="Round document totals to this step, the difference on its own line "
                  "(0.05 for Swiss francs); empty: no cash rounding.")
    inclusive_rounding = models.CharField(
        max_length=16, choices=INCLUSIVE_ROUNDING_CHOICES,
        default=InclusiveRounding.TAX_FIRST.value, db_default=InclusiveRounding.TAX_FIRST.value,
        help_text="With prices that include tax: round the extracted tax and keep the rest "
                  "as net, or round the net and keep the rest as tax (they differ only on a "
                  "half cent).")

    class Meta:
        ordering = ["currency", "-effective_from", "name"]
        permissions = [("import_prices", "Can import price book entries from CSV or XLSX")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="pricebook_ends_after_start"),
            models.CheckConstraint(condition=models.Q(cash_rounding_step__isnull=True)
                                   | models.Q(cash_rounding_step__gt=0),
                                   name="pricebook_cash_step_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.currency})"

    def rounding_policy(self) -> rounding.RoundingPolicy:
        """The book's rounding choices, as the pure modules take them (and documents keep)."""
        return rounding.RoundingPolicy(self.rounding_mode, self.tax_rounding or None,
                                       self.cash_rounding_step, self.inclusive_rounding)

    def clean(self):
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The last day must not be before the first."})
        if self.cash_rounding_step is not None and self.currency:
            error = rounding.cash_step_error(self.cash_rounding_step, self.currency)
            if error:
                raise ValidationError({"cash_rounding_step": error})
        if self.is_standard and self.active and self.effective_from and self.currency:
            clash = PriceBook.objects.filter(currency=self.currency, is_standard=True, active=True)
            clash = clash.exclude(pk=self.pk).filter(
                models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=self.effective_from))
            if self.effective_to:
                clash = clash.filter(effective_from__lte=self.effective_to)
            if clash.exists():
                raise ValidationError({"effective_from": (
                    f"The standard {self.currency} book {clash.first().name} covers these dates.")})


class PriceBookEntry(models.Model):
    """A product's price in a book for one billing period, under one price model.

    Amounts are in the book's currency and are rates, so they keep 6 places (a fraction of a
    cent per API call); `catalog.pricing` rounds what they price to the currency.
    """

    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="price_entries")
    billing_period = models.CharField(max_length=16, choices=BillingPeriod.choices,
                                      default=BillingPeriod.ONE_TIME)
    price_model = models.CharField(max_length=16, choices=PriceModel.choices,
                                   default=PriceModel.PER_UNIT)
    unit_amount = models.DecimalField(
        max_digits=19, decimal_places=6, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Flat fee, price per unit, or price per package; tiers have their own.")
    package_size = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                       help_text="Units in one package (package prices).")
    minimum_amount = models.DecimalField(max_digits=19, decimal_places=6, default=Decimal(0),
                                         validators=[MinValueValidator(Decimal(0))],
                                         help_text="Least charged per period when any is used.")
    percent = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True,
                                  validators=[MinValueValidator(Decimal(0))],
                                  help_text="Percentage prices: percent of the matching lines.")
    percent_of_kind = models.CharField(max_length=16, choices=ProductKind.choices, blank=True,
                                       help_text="Percentage prices follow lines of this kind.")
    percent_of_family = models.CharField(max_length=100, blank=True,
                                         help_text="...and of this family (empty: any).")
    included_units = models.DecimalField(
        max_digits=19, decimal_places=4, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Free units per period, before tiers or packages apply (for transaction "
                  "prices: the free amount of volume per period).")
    maximum_amount = models.DecimalField(
        max_digits=19, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Most charged per period (a cap); empty: no cap.")
    minimum_packages = models.DecimalField(
        max_digits=12, decimal_places=0, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Package prices: the fewest packages charged in a period with usage.")
    charge_at_zero = models.BooleanField(
        default=False,
        help_text="Charge the first tier's flat fee, the minimum packages and the minimum even "
                  "in a period with no usage.")
    fixed_fee = models.DecimalField(
        max_digits=19, decimal_places=6, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Transaction prices: the fee added to each transaction.")
    free_transactions = models.PositiveIntegerField(
        default=0, help_text="Transaction prices: transactions per period without the fee.")
    transaction_minimum = models.DecimalField(
        max_digits=19, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Transaction prices: the least charged on a transaction that pays a fee.")
    transaction_maximum = models.DecimalField(
        max_digits=19, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Transaction prices: the most charged on one transaction.")
    proration_granularity = models.CharField(
        max_length=8, choices=[(g.value, g.label) for g in Granularity], default=Granularity.DAY,
        db_default=Granularity.DAY.value,
        help_text="How a part period is counted: by day (the line's day count), or by second "
                  "when a line starts or ends at a moment within a day (an hourly room, a "
                  "day pass). Kept on the contract line.")
    active = models.BooleanField(default=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["price_book", "product__sku", "billing_period"]
        verbose_name_plural = "price book entries"
        constraints = [
            models.UniqueConstraint(fields=["price_book", "product", "billing_period"],
                                    name="entry_one_per_product_period"),
            models.CheckConstraint(condition=models.Q(package_size__isnull=True)
                                   | models.Q(package_size__gt=0),
                                   name="entry_package_size_positive"),
            models.CheckConstraint(condition=models.Q(unit_amount__gte=0, minimum_amount__gte=0,
                                                      included_units__gte=0, fixed_fee__gte=0,
                                                      minimum_packages__gte=0),
                                   name="entry_amounts_not_negative"),
            models.CheckConstraint(condition=models.Q(maximum_amount__isnull=True)
                                   | models.Q(maximum_amount__gte=models.F("minimum_amount")),
                                   name="entry_cap_not_below_minimum"),
        ]

    def __str__(self):
        return f"{self.product.sku} {self.get_billing_period_display()} in {self.price_book.name}"

    @property
    def currency(self) -> str:
        return self.price_book.currency

    def clean(self):
        errors = {**self._model_field_errors(), **self._amount_errors()}
        if self.product_id and self.product.kind in (ProductKind.PHYSICAL, ProductKind.SERVICE) \
                and self.billing_period != BillingPeriod.ONE_TIME:
            errors["billing_period"] = f"A {self.product.get_kind_display().lower()} is one-time."
        if errors:
            raise ValidationError(errors)

    def _model_field_errors(self) -> dict[str, str]:
        """Fields that belong to one price model: required there, refused elsewhere."""
        errors, model = {}, self.price_model
        if model == PriceModel.PACKAGE and (self.package_size is None or self.package_size <= 0):
            errors["package_size"] = "A package price needs a package size above zero."
        elif model != PriceModel.PACKAGE and self.package_size is not None:
            errors["package_size"] = "Only package prices have a package size."
        percent_models = (PriceModel.PERCENT, PriceModel.TRANSACTION)
        if model in percent_models and self.percent is None:
            errors["percent"] = "A percentage price needs its percent."
        elif model not in percent_models and self.percent is not None:
            errors["percent"] = ("Only percentage prices (of other lines or of transactions) "
                                 "have a percent.")
        if model != PriceModel.PACKAGE and self.minimum_packages:
            errors["minimum_packages"] = "Only package prices have a minimum of packages."
        if model != PriceModel.PERCENT and (self.percent_of_kind or self.percent_of_family):
            errors["percent_of_kind"] = "Only percentage prices follow other lines."
        return errors

    def _amount_errors(self) -> dict[str, str]:
        errors = {}
        terms = self.transaction_terms()
        if self.price_model != PriceModel.TRANSACTION and terms != transaction_fees.NO_TERMS:
            errors["fixed_fee"] = "Only transaction prices have fees per transaction."
        elif self.price_model == PriceModel.TRANSACTION and terms.errors():
            errors["transaction_maximum"] = " ".join(terms.errors())
        if self.maximum_amount is not None and self.minimum_amount is not None \
                and self.maximum_amount < self.minimum_amount:
            errors["maximum_amount"] = "The maximum per period cannot be below the minimum."
        return errors

    def transaction_terms(self) -> transaction_fees.TransactionTerms:
        return transaction_fees.TransactionTerms(
            self.fixed_fee or Decimal(0), self.free_transactions or 0, self.transaction_minimum,
            self.transaction_maximum)

    def percent_basis(self) -> frozenset[str]:
        basis = set()
        if self.percent_of_kind:
            basis.add(f"kind:{self.percent_of_kind}")
        if self.percent_of_family:
            basis.add(f"family:{self.percent_of_family}")
        return frozenset(basis)

    def price_data(self) -> dict:
        """The price as plain data in the snapshot format, unchecked: price history keeps
        whatever was saved, even an entry still waiting for its tiers."""
        tiered = self.price_model in pricing.TIERED_MODELS
        written = [t.written() for t in self.tiers.all()] if tiered else []
        tiers = tiers_module.tiers_from_written(written)
        data = pricing.snapshot_data(
            model=self.price_model, currency=self.price_book.currency,
            billing_period=self.billing_period, unit_amount=self.unit_amount, tiers=tiers,
            package_size=self.package_size, minimum_amount=self.minimum_amount,
            percent=self.percent or Decimal(0), percent_basis=self.percent_basis(),
            included_units=self.included_units, maximum_amount=self.maximum_amount,
            minimum_packages=self.minimum_packages, charge_at_zero=self.charge_at_zero,
            transaction=self.transaction_terms(), rounding=self.price_book.rounding_mode)
        data["source"] = {
            "price_book_id": self.price_book_id, "price_book": self.price_book.name,
            "entry_id": self.pk, "product_id": self.product_id, "sku": self.product.sku,
            "prices_include_tax": self.price_book.prices_include_tax,
        }
        if self.proration_granularity != Granularity.DAY:  # by day is the absent one
            data["source"]["proration_granularity"] = self.proration_granularity
        policy = self.price_book.rounding_policy()
        if policy != rounding.RoundingPolicy():  # the default policy is the absent one
            data["source"]["rounding_policy"] = policy.to_dict()
        return data

    def snapshot(self) -> dict:
        """The frozen plain-data price a quote or contract stores: `PriceSpec.to_dict()` plus
        a `source` (book, entry, SKU, whether prices include tax, and the book's rounding
        policy when it is not the default). Prefetch `tiers`."""
        data = self.price_data()
        return {**pricing.PriceSpec.from_dict(data).to_dict(), "source": data["source"]}


class PriceTier(models.Model):
    """A range of quantities written "from – up to" (catalog.pricing: how tiers are written)."""

    entry = models.ForeignKey(PriceBookEntry, on_delete=models.CASCADE, related_name="tiers")
    from_quantity = models.DecimalField(max_digits=19, decimal_places=4)
    up_to = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True,
                                help_text="Inclusive; empty for the last tier.")
    unit_amount = models.DecimalField(max_digits=19, decimal_places=6, default=Decimal(0),
                                      validators=[MinValueValidator(Decimal(0))])
    flat_amount = models.DecimalField(max_digits=19, decimal_places=6, default=Decimal(0),
                                      validators=[MinValueValidator(Decimal(0))],
                                      help_text="Added once when the tier is reached.")
    block_size = models.DecimalField(
        max_digits=19, decimal_places=4, null=True, blank=True,
        help_text="Charge whole blocks of this many units (the unit amount is then per block; "
                  "a partial block costs a whole one); empty: per unit.")

    class Meta:
        ordering = ["entry", "from_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "from_quantity"], name="tier_unique_start"),
            models.CheckConstraint(condition=models.Q(up_to__isnull=True)
                                   | models.Q(up_to__gte=models.F("from_quantity")),
                                   name="tier_ends_after_start"),
            models.CheckConstraint(condition=models.Q(unit_amount__gte=0, flat_amount__gte=0),
                                   name="tier_amounts_not_negative"),
            models.CheckConstraint(condition=models.Q(block_size__isnull=True)
                                   | models.Q(block_size__gt=0),
                                   name="tier_block_size_positive"),
        ]

    def __str__(self):
        end = f"{self.up_to.normalize():f}" if self.up_to is not None else "∞"
        return f"{self.from_quantity.normalize():f}–{end} at {self.unit_amount.normalize():f}"

    def written(self) -> tiers_module.WrittenTier:
        return tiers_module.WrittenTier(self.from_quantity, self.up_to, self.unit_amount,
                                        self.flat_amount, self.block_size)


class PriceChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"


class PriceChange(models.Model):
    """Price history: who changed which price when, with the snapshot before and after."""

    entry = models.ForeignKey(PriceBookEntry, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="changes")
    price_book = models.ForeignKey(PriceBook, null=True, on_delete=models.SET_NULL,
                                   related_name="changes")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL,
                                related_name="price_changes")
    label = models.CharField(max_length=300, help_text="The entry, as it was called.")
    action = models.CharField(max_length=16, choices=PriceChangeAction.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    summary = models.TextField(blank=True)
    source = models.CharField(max_length=32, default="admin")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_by_name = models.CharField(max_length=200, blank=True)
    changed_at = TimestampField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["entry", "changed_at"])]

    def __str__(self):
        return f"{self.label} {self.action} by {self.changed_by_name}"
