import zoneinfo
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition
from djmoney.models.fields import MoneyField

from core.fields import TimestampField


class PaymentTermsKind(models.TextChoices):
    """The kinds catalog.due_schedule knows (the same values)."""

    NET = "net", "Net N days"
    END_OF_MONTH = "eom", "End of month plus N days"
    NEXT_MONTH_DAY = "next_month_day", "Day N of the following month"
    INSTALMENTS = "instalments", "Instalments"


class InstalmentBasis(models.TextChoices):
    """What an instalment's days count from (30% net 0 and 70% on the 10th of next month)."""

    NET = "net", "Days after the invoice date"
    END_OF_MONTH = "eom", "Days after the end of the invoice's month"
    NEXT_MONTH_DAY = "next_month_day", "Day N of the following month"


# Days a basis adds at most before its N counts: the rest of the invoice's month, taken as 30
# (approval rules on long terms compare these figures).
_MONTH_DAYS = {"net": 0, "eom": 30, "next_month_day": 30}


class PaymentTerms(models.Model):
    """How long a customer has to pay, and any early-payment discount; kept in admin."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=PaymentTermsKind.choices,
                            default=PaymentTermsKind.NET)
    days = models.PositiveIntegerField(
        default=30, help_text="N in 'net N', 'end of month + N' or 'day N of the following month'.")
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

    def clean(self):
        if self.kind == PaymentTermsKind.NEXT_MONTH_DAY and not 1 <= self.days <= 31:
            raise ValidationError({"days": "The day of the following month is between 1 and 31 "
                                           "(a shorter month takes its last day)."})

    @property
    def longest_days(self) -> int:
        """Days until the last amount is due at most, for approval rules on long terms (the
        rest of the invoice's month counted as 30 days)."""
        if self.kind == PaymentTermsKind.INSTALMENTS:
            return max((i.longest_days for i in self.instalments.all()), default=0)
        return self.days + _MONTH_DAYS[self.kind]


class Instalment(models.Model):
    terms = models.ForeignKey(PaymentTerms, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=6, decimal_places=3,
                                  validators=[MinValueValidator(Decimal("0.001"))])
    due_days = models.PositiveIntegerField(help_text="N of its basis: days after the invoice "
                                                     "date unless the basis says otherwise.")
    basis = models.CharField(max_length=16, choices=InstalmentBasis.choices,
                             default=InstalmentBasis.NET)

    class Meta:
        ordering = ["terms", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "sequence"],
                                    name="instalment_unique_sequence"),
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lte=100),
                                   name="instalment_percent_range"),
        ]

    def __str__(self):
        if self.basis == InstalmentBasis.NEXT_MONTH_DAY:
            return f"{self.percent}% on day {self.due_days} of the following month"
        if self.basis == InstalmentBasis.END_OF_MONTH:
            return f"{self.percent}% {self.due_days} days after the end of the month"
        return f"{self.percent}% after {self.due_days} days"

    @property
    def longest_days(self) -> int:
        return self.due_days + _MONTH_DAYS[self.basis]


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


class PaymentMeans(models.TextChoices):
    """How the customer pays (UNCL 4461 codes in e-invoices: 58, 48, 59)."""

    CREDIT_TRANSFER = "credit_transfer", "Credit transfer (SEPA)"
    CARD = "card", "Card"
    DIRECT_DEBIT = "direct_debit", "Direct debit (SEPA mandate)"


class EInvoiceFormat(models.TextChoices):
    PDF = "", "PDF only"
    FACTURX = "facturx", "Factur-X / ZUGFeRD (PDF with CII XML)"
    UBL = "ubl", "UBL 2.1 (Peppol BIS Billing 3.0)"
    # The German CIUS of EN 16931 for public buyers (E-Rechnungsverordnung), in UBL syntax; the
    # buyer reference carries their Leitweg-ID.
    XRECHNUNG = "xrechnung", "XRechnung 3.0 (UBL, German public buyers)"


def compact_vat_id(vat_id: str, country: str) -> str:
    """A VAT ID without spaces, dots or dashes, as python-stdnum writes it (BE0477472701)."""
    from stdnum import get_cc_module
    from stdnum.eu import vat as eu_vat

    vat_id = "".join((vat_id or "").split()).upper()
    if not vat_id:
        return ""
    if country.lower() in eu_vat.MEMBER_STATES or vat_id[:2].lower() in eu_vat.MEMBER_STATES:
        return eu_vat.compact(vat_id)
    module = get_cc_module(country.lower(), "vat") if country else None
    return module.compact(vat_id) if module is not None else vat_id


def vat_id_errors(vat_id: str, country: str) -> list[str]:
    """Why a VAT ID is not a valid one of `country` (python-stdnum's format and check digits)."""
    from stdnum import get_cc_module
    from stdnum.eu import vat as eu_vat

    if not vat_id:
        return []
    country = (country or "").upper()
    if country in eu_vat.MEMBER_STATES or country.lower() in eu_vat.MEMBER_STATES:
        expected = "EL" if country == "GR" else country
        if not eu_vat.is_valid(vat_id):
            return [f"“{vat_id}” is not a valid EU VAT ID (e.g. {expected}123456789)."]
        if eu_vat.compact(vat_id)[:2].upper() != expected:
            return [f"An account in {country} has a VAT ID starting with {expected}."]
        return []
    module = get_cc_module(country.lower(), "vat") if country else None
    if module is not None and not module.is_valid(vat_id):
        return [f"“{vat_id}” is not a valid VAT ID of {country}."]
    return []


class DocumentDelivery(models.TextChoices):
    """How the account's invoices and credit notes reach it once issued
    (billing.services.delivery)."""

    EMAIL = "email", "Email to the billing contacts"
    PORTAL = "portal", "Customer portal only (no email)"
    POST = "post", "Post (finance prints and posts it)"


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in _time_zones():
        raise ValidationError(f"“{value}” is not an IANA time zone; write it as Europe/Berlin "
                              "or America/New_York.")


class BillingState(models.TextChoices):
    BILLING = "billing", "Billing"
    PAUSED = "paused", "Billing paused"


class Account(FSMModelMixin, models.Model):
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
    tax_exemption_reason = models.CharField(
        max_length=200, blank=True,
        help_text="Why the customer pays no VAT, printed on its invoices (with tax exempt).")
    vat_id = models.CharField("VAT ID", max_length=20, blank=True,
                              help_text="With its country prefix, e.g. DE123456789. A valid EU "
                                        "VAT ID of another member state makes the customer a "
                                        "business for VAT (reverse charge).")
    buyer_reference = models.CharField(
        max_length=200, blank=True,
        help_text="The customer's reference for routing invoices (Leitweg-ID for German public "
                  "buyers), copied onto each invoice.")
    purchase_order = models.CharField("PO number", max_length=100, blank=True,
                                      help_text="Quoted on every invoice until changed.")
    payment_means = models.CharField(max_length=20, choices=PaymentMeans.choices, blank=True,
                                     default=PaymentMeans.CREDIT_TRANSFER,
                                     help_text="Empty: credit transfer.")
    mandate_reference = models.CharField(max_length=35, blank=True,
                                         help_text="SEPA direct debit mandate reference.")
    debtor_iban = models.CharField("debtor IBAN", max_length=34, blank=True,
                                   help_text="The account debited by direct debit.")
    document_language = models.CharField(
        max_length=8, choices=[("en", "English"), ("de", "Deutsch"), ("fr", "Français")],
        default="en", blank=True,
        help_text="The language of its invoices and credit notes (empty: English).")
    document_delivery = models.CharField(
        max_length=10, choices=DocumentDelivery.choices, default=DocumentDelivery.EMAIL,
        help_text="How its issued invoices and credit notes are delivered.")
    einvoice_format = models.CharField("e-invoice", max_length=10, blank=True,
                                       choices=EInvoiceFormat.choices,
                                       help_text="The structured invoice sent with the PDF.")
    peppol_id = models.CharField(
        "Peppol ID", max_length=60, blank=True,
        help_text="The customer's Peppol participant ID as scheme:identifier, e.g. "
                  "0208:0477472701 or 9930:DE811128135 (empty: taken from the VAT ID).")
    # The last check of the VAT ID with the EU's VIES service (customers.services.vat_checks).
    vat_checked_at = models.DateTimeField("VAT ID checked at", null=True, blank=True,
                                          editable=False)
    vat_check_valid = models.BooleanField("VAT ID valid in VIES", null=True, blank=True,
                                          editable=False)
    vat_check = models.JSONField(
        default=dict, blank=True, editable=False,
        help_text="What VIES answered: the VAT ID checked, name, address, request ID.")
    bill_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of the month recurring charges are billed on (1-31; a month without "
                  "that day bills on its last day).")
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone],
        help_text="The IANA time zone the customer's days begin and end in (e.g. "
                  "Europe/Berlin): it decides the day a usage event or a change belongs to and "
                  "where a price prorated by the second counts from. Empty: the company's.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_accounts")
    # Moves only through the transitions below (`customers.services.set_account_status`, which
    # the edit form, admin and API call with the status they want). Not `protected`: model forms
    # copy every field onto their instance, and the service acts on its own locked copy.
    status = FSMField(max_length=16, choices=AccountStatus.choices,
                      default=AccountStatus.ACTIVE)
    # Paused by a dunning step whose policy says so, or by finance (customers.services.pauses);
    # while paused, invoice runs leave the account's schedule rows unbilled (`BillingPause`
    # keeps each window). Not `protected`, like `status`: the service moves it on a locked row.
    billing_state = FSMField(max_length=16, choices=BillingState.choices,
                             default=BillingState.BILLING)
    is_overdue = models.BooleanField(default=False, help_text="Set by billing and dunning.")
    overdue_since = models.DateField(null=True, blank=True)
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "name"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0),
                                   name="account_credit_limit_not_negative"),
            models.CheckConstraint(condition=models.Q(bill_day__gte=1, bill_day__lte=31),
                                   name="account_bill_day_range"),
        ]
        permissions = [
            ("view_team_accounts", "Can view and edit the accounts of the team one manages"),
            ("view_all_accounts", "Can view and edit every account"),
            ("import_accounts", "Can import accounts and contacts from CSV"),
            ("set_overdue_flag", "Can set or clear an account's overdue flag"),
            ("change_commercial_terms",
             "Can change an account's credit limit, tax exemption, payment terms and currency"),
            ("pause_billing", "Can pause and resume an account's billing"),
        ]

    def __str__(self):
        return self.name

    # The account's life: a prospect becomes active; finance puts an account on hold (no new
    # business) and takes it off, closes it, and reopens a closed one.
    @transition(field=status, source=[AccountStatus.PROSPECT, AccountStatus.ON_HOLD],
                target=AccountStatus.ACTIVE, permission="customers.change_account")
    def activate(self):
        """A prospect that buys, or an account taken off hold."""

    @transition(field=status, source=[AccountStatus.PROSPECT, AccountStatus.ACTIVE],
                target=AccountStatus.ON_HOLD, permission="customers.change_commercial_terms")
    def hold(self):
        """No new business until finance takes it off hold."""

    @transition(field=status, source=[AccountStatus.PROSPECT, AccountStatus.ACTIVE,
                                      AccountStatus.ON_HOLD],
                target=AccountStatus.CLOSED, permission="customers.change_commercial_terms")
    def close(self):
        """The customer relationship has ended."""

    @transition(field=status, source=AccountStatus.CLOSED, target=AccountStatus.ACTIVE,
                permission="customers.change_commercial_terms")
    def reopen(self):
        """A closed account buys again."""

    # Billing paused (dunning's suspension or finance by hand) and resumed.
    @transition(field=billing_state, source=BillingState.BILLING, target=BillingState.PAUSED,
                permission="customers.pause_billing")
    def pause_billing(self):
        """Invoice runs hold the account's charges from the pause's first day."""

    @transition(field=billing_state, source=BillingState.PAUSED, target=BillingState.BILLING,
                permission="customers.pause_billing")
    def resume_billing(self):
        """The held charges are billed by the next run."""

    @property
    def vat_check_current(self) -> bool:
        """The last VIES check was of the VAT ID the account has now."""
        return (self.vat_checked_at is not None
                and self.vat_check.get("vat_id") == compact_vat_id(self.vat_id, self.country))

    def clean(self):
        """Each check normalises its own field and returns its errors, so every field's
        problem is reported at once."""
        errors = {}
        for check in (self._credit_limit_errors, self._vat_id_errors, self._mandate_errors,
                      self._peppol_id_errors, self._leitweg_id_errors, self._postal_errors,
                      self._iban_errors):
            errors.update(check())
        if errors:
            raise ValidationError(errors)

    def _credit_limit_errors(self) -> dict:
        if self.credit_limit is not None and str(self.credit_limit.currency) != self.currency:
            return {"credit_limit": "The credit limit must be in the account's currency."}
        return {}

    def _vat_id_errors(self) -> dict:
        self.vat_id = compact_vat_id(self.vat_id, self.country or "")
        errors = vat_id_errors(self.vat_id, self.country)
        return {"vat_id": errors} if errors else {}

    def _mandate_errors(self) -> dict:
        if self.payment_means == PaymentMeans.DIRECT_DEBIT and not self.mandate_reference:
            return {"mandate_reference": "Direct debit needs the mandate reference."}
        return {}

    def _peppol_id_errors(self) -> dict:
        if not self.peppol_id:
            return {}
        from customers.einvoice_ids import compact_peppol_id, peppol_id_errors

        self.peppol_id = compact_peppol_id(self.peppol_id)
        errors = peppol_id_errors(self.peppol_id)
        return {"peppol_id": errors} if errors else {}

    def _leitweg_id_errors(self) -> dict:
        if self.einvoice_format != EInvoiceFormat.XRECHNUNG:
            return {}
        from customers.einvoice_ids import leitweg_id_errors

        self.buyer_reference = self.buyer_reference.strip().upper()
        if not self.buyer_reference:
            return {"buyer_reference": "XRechnung needs the buyer's Leitweg-ID as the buyer "
                                       "reference (BR-DE-15)."}
        errors = leitweg_id_errors(self.buyer_reference)
        return {"buyer_reference": errors} if errors else {}

    def _postal_errors(self) -> dict:
        if self.document_delivery == DocumentDelivery.POST and not all(
                (self.billing_street, self.billing_city, self.billing_postal_code)):
            return {"document_delivery": "Documents sent by post need the billing address "
                                         "(street, city and postal code)."}
        return {}

    def _iban_errors(self) -> dict:
        if not self.debtor_iban:
            return {}
        from stdnum import iban

        self.debtor_iban = iban.compact(self.debtor_iban)
        if not iban.is_valid(self.debtor_iban):
            return {"debtor_iban": f"“{self.debtor_iban}” is not a valid IBAN."}
        return {}


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


class PauseSource(models.TextChoices):
    DUNNING = "dunning", "Dunning"
    HAND = "hand", "By hand"


class BillingPause(models.Model):
    """One window in which invoice runs did not bill the account: from `paused_on` (billed
    again from `resumed_on`, the first day not blocked; empty while paused). The rows due in
    the window stay unbilled until the first run on or after `resumed_on`. When
    `credit_blocked_days` is set, payments credits the recurring charges of the blocked days
    once the invoices that carry them are issued (`credited_on`)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE,
                                related_name="billing_pauses")
    paused_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=PauseSource.choices,
                              default=PauseSource.HAND)
    reason = models.CharField(max_length=255)
    resume_reason = models.CharField(max_length=255, blank=True)
    dunning_step = models.CharField(max_length=40, blank=True,
                                    help_text="The key of the dunning step that paused it.")
    credit_blocked_days = models.BooleanField(
        default=False, help_text="Credit the recurring charges of the blocked days on resume.")
    credited_on = models.DateField(null=True, blank=True)
    credit_outcome = models.CharField(max_length=255, blank=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-paused_on", "-pk"]
        indexes = [models.Index(fields=["account", "paused_on"])]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=models.Q(resumed_on=None),
                                    name="billingpause_one_open_per_account"),
            models.CheckConstraint(condition=models.Q(resumed_on=None)
                                   | models.Q(resumed_on__gte=models.F("paused_on")),
                                   name="billingpause_resumes_after_pause"),
        ]

    def __str__(self):
        end = f" to {self.resumed_on}" if self.resumed_on else ""
        return f"Billing of {self.account_id} paused from {self.paused_on}{end}"

    @property
    def blocked_days(self) -> int | None:
        return (self.resumed_on - self.paused_on).days if self.resumed_on else None
