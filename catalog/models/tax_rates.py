from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from catalog import tax


class TaxCategory(models.Model):
    """What kind of supply a product is for tax (standard, digital services, books, exempt...)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    supply = models.CharField(
        max_length=16, choices=[(s.value, s.value.capitalize()) for s in tax.Supply],
        default=tax.Supply.SERVICES,
        help_text="Goods, services, or digital services (telecom, broadcasting, electronically "
                  "supplied, SaaS): decides the EU place of supply.")
    exemption_reason = models.CharField(
        max_length=200, blank=True,
        help_text="Set for a supply exempt from VAT (e.g. 'Exempt financial service, Art. 135'):"
                  " printed on the invoice and sent as the e-invoice's exemption reason.")
    exemption_code = models.CharField(max_length=30, blank=True,
                                      help_text="VATEX code, e.g. VATEX-EU-135-1B.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "tax categories"

    def __str__(self):
        return self.name

    @property
    def exemption(self) -> tax.Exemption | None:
        if not self.exemption_reason:
            return None
        return tax.Exemption(self.exemption_reason, self.exemption_code)


class TaxRate(models.Model):
    """One tax in one country (or region), for one category or all, over a span of dates."""

    name = models.CharField(max_length=50, help_text='Shown on documents, e.g. "VAT", "GST".')
    country = models.CharField(max_length=2, help_text="ISO 3166 alpha-2 code, e.g. US, DE.")
    region = models.CharField(max_length=50, blank=True,
                              help_text="State or province code; empty for the whole country.")
    category = models.ForeignKey(TaxCategory, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="rates",
                                 help_text="Empty: every category without a rate of its own.")
    percent = models.DecimalField(max_digits=7, decimal_places=4,
                                  validators=[MinValueValidator(Decimal(0)),
                                              MaxValueValidator(Decimal(100))])
    compound = models.BooleanField(default=False,
                                   help_text="Charged on the net plus the taxes before it.")
    per_unit_amount = models.DecimalField(
        "amount per unit", max_digits=19, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="A fixed levy per unit sold instead of a percent (a container deposit, an "
                  "excise per unit): charged as this amount × the line's quantity. Leave the "
                  "percent at 0.")
    currency = models.CharField(max_length=3, blank=True,
                                help_text="The levy's currency (fixed amounts only); it is "
                                          "charged on documents in that currency.")
    affects_base = models.BooleanField(
        "affects the base of later taxes", default=False,
        help_text="The taxes after this one are charged on the net plus it (a levy inside the "
                  "VAT base).")
    sequence = models.PositiveSmallIntegerField(default=0, help_text="Order taxes apply in.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Last day; empty: open.")

    class Meta:
        ordering = ["country", "region", "name", "effective_from"]
        indexes = [models.Index(fields=["country", "region"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__gte=0, percent__lte=100),
                                   name="taxrate_percent_range"),
            models.CheckConstraint(
                condition=models.Q(per_unit_amount__isnull=True)
                | models.Q(per_unit_amount__gte=0, percent=0),
                name="taxrate_levy_has_no_percent"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="taxrate_ends_after_start"),
        ]

    def __str__(self):
        where = f"{self.country}-{self.region}" if self.region else self.country
        if self.per_unit_amount is not None:
            return f"{self.name} {self.per_unit_amount.normalize():f} {self.currency}/unit {where}"
        return f"{self.name} {self.percent.normalize():f}% {where}"

    def clean(self):
        self.country = (self.country or "").upper()
        self.region = (self.region or "").upper()
        self._clean_levy()
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The last day must not be before the first."})
        if self.effective_from and self._overlapping().exists():
            raise ValidationError({"effective_from": (
                f"Another {self.name} rate for this place and category covers these dates.")})

    def _clean_levy(self):
        self.currency = (self.currency or "").upper()
        if self.per_unit_amount is None:
            if self.currency:
                raise ValidationError({"currency": "Only a fixed amount per unit has a "
                                                   "currency."})
            return
        errors = {}
        if not self.currency:
            errors["currency"] = "Give the currency of the amount per unit."
        elif self.currency not in settings.CURRENCIES:
            errors["currency"] = f"{self.currency} is not one of the currencies in use."
        if self.percent:
            errors["percent"] = "A fixed amount per unit has no percent: leave it at 0."
        if errors:
            raise ValidationError(errors)

    def _overlapping(self):
        same = TaxRate.objects.filter(name=self.name, country=self.country, region=self.region,
                                      category=self.category).exclude(pk=self.pk)
        if self.effective_to:
            same = same.filter(effective_from__lte=self.effective_to)
        return same.filter(models.Q(effective_to__isnull=True)
                           | models.Q(effective_to__gte=self.effective_from))

    def to_record(self) -> tax.TaxRateRecord:
        return tax.TaxRateRecord(
            name=self.name, percent=self.percent, country=self.country,
            effective_from=self.effective_from, region=self.region,
            category=self.category.code if self.category_id else None,
            compound=self.compound, sequence=self.sequence, effective_to=self.effective_to,
            per_unit=self.per_unit_amount, currency=self.currency,
            affects_base=self.affects_base,
        )
