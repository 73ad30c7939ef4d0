from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from djmoney.models.fields import MoneyField


class PaymentTermsKind(models.TextChoices):
    NET = "net", "Net N days"
    END_OF_MONTH = "eom", "End of month plus N days"
    INSTALMENTS = "instalments", "Instalments"


class PaymentTerms(models.Model):
    """How long a customer has to pay, and any early-payment discount; kept in admin."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=PaymentTermsKind.choices,
                            default=PaymentTermsKind.NET)
    days = models.PositiveIntegerField(default=30, help_text="N in 'net N' or 'end of month + N'.")
    early_discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    early_discount_days = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["days", "code"]
        verbose_name_plural = "payment terms"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(early_discount_percent__gte=0, early_discount_percent__lte=100),
                name="paymentterms_discount_percent_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def longest_days(self) -> int:
        """Days until the last amount is due, for approval rules on long terms."""
        if self.kind == PaymentTermsKind.INSTALMENTS:
            return max((i.due_days for i in self.instalments.all()), default=0)
        return self.days + (30 if self.kind == PaymentTermsKind.END_OF_MONTH else 0)


class Instalment(models.Model):
    terms = models.ForeignKey(PaymentTerms, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=6, decimal_places=3,
                                  validators=[MinValueValidator(Decimal("0.001"))])
    due_days = models.PositiveIntegerField(help_text="Days after the invoice date.")

    class Meta:
        ordering = ["terms", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "sequence"],
                                    name="instalment_unique_sequence"),
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lte=100),
                                   name="instalment_percent_range"),
        ]

    def __str__(self):
        return f"{self.percent}% after {self.due_days} days"


class ReportingLine(models.Model):
    """Teams: each user may have a manager; a manager's team is the users who report to them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="reporting_line")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="reports")
    team_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["manager", "user"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(user=models.F("manager")),
                                   name="reportingline_not_own_manager"),
        ]

    def __str__(self):
        return f"{self.user} reports to {self.manager}"


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


class Account(models.Model):
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166 alpha-2 code, e.g. US, DE.")
    region = models.CharField(max_length=50, blank=True, help_text="State or province code.")
    billing_street = models.CharField(max_length=200, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    shipping_street = models.CharField(max_length=200, blank=True)
    shipping_city = models.CharField(max_length=100, blank=True)
    shipping_postal_code = models.CharField(max_length=20, blank=True)
    currency = models.CharField(max_length=3)
    payment_terms = models.ForeignKey(PaymentTerms, on_delete=models.PROTECT, related_name="+")
    credit_limit = MoneyField(max_digits=19, decimal_places=4, default_currency="USD",
                              default=Decimal("0"))
    tax_exempt = models.BooleanField(default=False)
    bill_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Day of the month recurring charges are billed on (1-28, so every month has it).")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_accounts")
    status = models.CharField(max_length=16, choices=AccountStatus.choices,
                              default=AccountStatus.ACTIVE)
    is_overdue = models.BooleanField(default=False, help_text="Set by billing and dunning.")
    overdue_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "name"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0),
                                   name="account_credit_limit_not_negative"),
            models.CheckConstraint(condition=models.Q(bill_day__gte=1, bill_day__lte=28),
                                   name="account_bill_day_range"),
        ]
        permissions = [
            ("view_team_accounts", "Can view and edit the accounts of the team one manages"),
            ("view_all_accounts", "Can view and edit every account"),
            ("import_accounts", "Can import accounts and contacts from CSV"),
            ("set_overdue_flag", "Can set or clear an account's overdue flag"),
            ("change_commercial_terms",
             "Can change an account's credit limit, tax exemption, payment terms and currency"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.credit_limit is not None and str(self.credit_limit.currency) != self.currency:
            raise ValidationError(
                {"credit_limit": "The credit limit must be in the account's currency."})


class ContactRole(models.TextChoices):
    BILLING = "billing", "Billing"
    SIGNER = "signer", "Signer"
    OTHER = "other", "Other"


class Contact(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=50, blank=True)
    role = models.CharField(max_length=16, choices=ContactRole.choices, default=ContactRole.OTHER)

    class Meta:
        ordering = ["account", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "email"],
                                    name="contact_unique_email_per_account"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
