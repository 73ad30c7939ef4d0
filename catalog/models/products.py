from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from djmoney.models.fields import MoneyField

from catalog.models.tax_rates import TaxCategory
from core.fields import TimestampField


class ProductKind(models.TextChoices):
    PHYSICAL = "physical", "Physical good"
    SERVICE = "service", "One-time service"
    SUBSCRIPTION = "subscription", "Subscription"
    USAGE = "usage", "Usage (metered)"


class RevenueRule(models.TextChoices):
    POINT_IN_TIME = "point_in_time", "At a point in time"
    RATABLE = "ratable", "Ratably over the service period"
    AS_BILLED = "as_billed", "As usage is billed"


class Product(models.Model):
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    family = models.CharField(max_length=100, blank=True,
                              help_text='Groups products for lists and percentage prices, '
                                        'e.g. "Platform".')
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    unit_of_measure = models.CharField(max_length=32, default="each",
                                       help_text='e.g. "seat", "GB", "1,000 calls", "hour".')
    active = models.BooleanField(default=True, help_text="Inactive products cannot be quoted.")
    is_bundle = models.BooleanField("bundle", default=False,
                                    help_text="A bundle is sold with the components listed below.")
    tax_category = models.ForeignKey(TaxCategory, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="products",
                                     help_text="Empty: the general rates apply.")
    revenue_rule = models.CharField("revenue recognition", max_length=16,
                                    choices=RevenueRule.choices, default=RevenueRule.POINT_IN_TIME)
    # Unit costs are rates (a fraction of a cent per API call), kept to 4 places.
    unit_cost = MoneyField(max_digits=19, decimal_places=4, null=True, blank=True,
                           default_currency=None,
                           help_text="For the margin shown on quotes.")
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["family", "name", "pk"]
        indexes = [models.Index(fields=["active", "kind"])]

    def __str__(self):
        return f"{self.name} ({self.sku})"

    def clean(self):
        if self.kind == ProductKind.USAGE and self.revenue_rule == RevenueRule.POINT_IN_TIME:
            raise ValidationError({"revenue_rule": (
                "Usage is recognized as it is billed or ratably, not at one point in time.")})
        if self.pk and not self.is_bundle and self.components.exists():
            raise ValidationError({"is_bundle": "Remove the components before unmarking a bundle."})

    @property
    def tags(self) -> frozenset[str]:
        """What percentage prices select on (see catalog.pricing.DocumentLine)."""
        tags = {f"kind:{self.kind}", f"sku:{self.sku}"}
        if self.family:
            tags.add(f"family:{self.family}")
        return frozenset(tags)


class SSPBasis(models.TextChoices):
    """What period a standalone selling price is quoted for; revenue allocation scales it to each
    obligation's term (catalog.obligations.ssp_over_term)."""

    PER_MONTH = "per_month", "Per month"
    PER_YEAR = "per_year", "Per year"
    ONE_TIME = "one_time", "One-time"


class StandaloneSellingPrice(models.Model):
    """What the product sells for on its own, per currency, for revenue allocation (SSP)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="ssps")
    amount = MoneyField(max_digits=19, decimal_places=4, default_currency=None,
                        help_text="Per unit, for the period its basis says.")
    basis = models.CharField(
        max_length=16, choices=SSPBasis.choices, default=SSPBasis.PER_MONTH,
        help_text="Per month or per year (scaled to each line's term), or one-time (per unit, "
                  "whatever the term).")

    class Meta:
        ordering = ["product", "amount_currency"]
        verbose_name = "standalone selling price"
        constraints = [
            models.UniqueConstraint(fields=["product", "amount_currency"],
                                    name="ssp_one_per_currency"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="ssp_not_negative"),
        ]

    def __str__(self):
        return f"SSP {self.product.sku} {self.amount} {self.get_basis_display().lower()}"


class ComponentPricing(models.TextChoices):
    INCLUDED = "included", "Included in the parent's price"
    SEPARATE = "separate", "Priced on its own"


class OptionGroup(models.Model):
    """A choice on a configurable product, e.g. "Edition" (pick exactly one) or "Add-ons"."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="option_groups")
    name = models.CharField(max_length=100)
    min_selections = models.PositiveSmallIntegerField(default=0)
    max_selections = models.PositiveSmallIntegerField(null=True, blank=True,
                                                      help_text="Empty: no limit.")
    required = models.BooleanField(default=False, help_text="At least one option must be chosen.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="optiongroup_unique_name"),
            models.CheckConstraint(
                condition=models.Q(max_selections__isnull=True)
                | models.Q(max_selections__gte=models.F("min_selections")),
                name="optiongroup_max_at_least_min"),
        ]

    def __str__(self):
        return f"{self.product.sku}: {self.name}"

    def clean(self):
        if self.max_selections is not None and self.max_selections < self.min_selections:
            raise ValidationError({"max_selections": "The maximum must not be below the minimum."})
        if self.required and self.max_selections == 0:
            raise ValidationError({"max_selections": "A required group must allow a selection."})


class ProductOption(models.Model):
    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE, related_name="options")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="option_of",
                                help_text="The product this option adds.")
    default_selected = models.BooleanField(default=False)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(1),
                                   validators=[MinValueValidator(Decimal("0.01"))])
    quantity_editable = models.BooleanField(default=False)
    min_quantity = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The least a rep may choose when the quantity is editable (empty: any above "
                  "zero).")
    max_quantity = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The most a rep may choose when the quantity is editable (empty: no limit).")
    pricing = models.CharField(max_length=16, choices=ComponentPricing.choices,
                               default=ComponentPricing.SEPARATE)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "product"], name="option_once_per_group"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                   name="option_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(min_quantity__isnull=True) | models.Q(max_quantity__isnull=True)
                | models.Q(max_quantity__gte=models.F("min_quantity")),
                name="option_max_quantity_at_least_min"),
        ]

    def __str__(self):
        return f"{self.group}: {self.product.sku}"

    def clean(self):
        if (self.min_quantity is not None and self.max_quantity is not None
                and self.max_quantity < self.min_quantity):
            raise ValidationError({"max_quantity": "The most cannot be less than the least."})
        if not self.group_id or not self.product_id:
            return
        if self.product_id == self.group.product_id:
            raise ValidationError({"product": "A product cannot be an option of itself."})
        twin = ProductOption.objects.filter(group__product_id=self.group.product_id,
                                            product_id=self.product_id).exclude(pk=self.pk)
        if twin.exclude(group_id=self.group_id).exists():
            raise ValidationError(
                {"product": "This product is already an option in another group."})


class RuleKind(models.TextChoices):
    REQUIRES = "requires", "requires"
    EXCLUDES = "excludes", "excludes"
    QUANTITY_FOLLOWS_PARENT = "quantity_follows_parent", "quantity follows the parent"


class ConfigurationRule(models.Model):
    """When `subject` is chosen on `product`: it requires or excludes `target`, or its quantity
    must equal the product's."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE,
                                related_name="configuration_rules")
    subject = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+",
                                help_text="The option the rule is about.")
    kind = models.CharField(max_length=32, choices=RuleKind.choices)
    target = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", help_text="For requires and excludes.")
    message = models.CharField(max_length=200, blank=True,
                               help_text="Shown instead of the standard message when broken.")

    class Meta:
        ordering = ["product", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=RuleKind.QUANTITY_FOLLOWS_PARENT)
                | models.Q(target__isnull=False),
                name="rule_target_needed"),
        ]

    def __str__(self):
        target = f" {self.target.sku}" if self.target_id else ""
        return f"{self.subject.sku} {self.get_kind_display()}{target}"

    def clean(self):
        if self.kind != RuleKind.QUANTITY_FOLLOWS_PARENT and not self.target_id:
            raise ValidationError({"target": "Requires and excludes rules need a target."})
        if self.target_id and self.target_id == self.subject_id:
            raise ValidationError({"target": "A rule cannot point at its own subject."})


class BundleComponent(models.Model):
    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="bundled_in")
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(1),
                                   validators=[MinValueValidator(Decimal("0.01"))],
                                   help_text="Per one bundle.")
    pricing = models.CharField(max_length=16, choices=ComponentPricing.choices,
                               default=ComponentPricing.INCLUDED)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["bundle", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="component_once"),
            models.CheckConstraint(condition=~models.Q(bundle=models.F("component")),
                                   name="component_not_own_bundle"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                   name="component_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.bundle.sku} ⊃ {self.component.sku}"

    def clean(self):
        if self.bundle_id and self.component_id == self.bundle_id:
            raise ValidationError({"component": "A bundle cannot contain itself."})
        if self.component_id and self.component.is_bundle:
            raise ValidationError({"component": "Bundles cannot be nested."})
