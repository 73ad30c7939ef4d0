"""Late payment: the reference rates interest is charged over, which countries clear costs and
interest before principal, and the late charges dunning issues (customer documents with their
own gapless series LC-YYYY-NNNNNN and their own journal).

The life of a late charge: draft (only inside the transaction that issues it) → issued → paid
(cleared by payments, in the order the account's country requires) | waived (finance forgoes
it; the entry is reversed).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.fields import TimestampField
from payments.late_payment import ClearingOrder, DayCount
from payments.models.fields import AMOUNT, AMOUNT_ZERO, RATE


class ReferenceRate(models.Model):
    """A reference rate for a currency, in force from a date: the currency's own (EUR: the
    ECB's main refinancing rate on 1 January and 1 July, Directive 2011/7/EU art. 2(7), which
    France's Code de commerce L441-10 uses), or a country's series of it where its law names
    one (Germany's Basiszinssatz, BGB §247), used for debtors in that country."""

    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2, blank=True,
                               help_text="ISO 3166 alpha-2 of the country whose law names this "
                                         "series (DE: Basiszinssatz); empty: the currency's.")
    starts_on = models.DateField()
    rate = models.DecimalField(max_digits=7, decimal_places=4,
                               help_text="Percent a year; may be negative.")
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["currency", "country", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["currency", "country", "starts_on"],
                                               name="referencerate_unique_day")]

    def __str__(self):
        series = f"{self.currency} ({self.country})" if self.country else self.currency
        return f"{series} {self.rate}% from {self.starts_on:%Y-%m-%d}"


CLEARING_ORDERS = [(ClearingOrder.COSTS_INTEREST_PRINCIPAL.value,
                    "Costs, then interest, then principal"),
                   (ClearingOrder.PRINCIPAL_FIRST.value, "Principal first")]


class ClearingRule(models.Model):
    """What a country's law says of late payment, by the account's country: the order a
    payment clears the account's open items (BGB §367 in DE; accounts of a country not listed
    clear principal first) and the margin of statutory interest over the reference rate
    (BGB §288(2): 9 points; Code de commerce L441-10: 10 points; else the policy's)."""

    country = models.CharField(max_length=2, unique=True, help_text="ISO 3166 alpha-2, e.g. DE.")
    order = models.CharField(max_length=32, choices=CLEARING_ORDERS)
    interest_margin = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text="Points over the reference rate of statutory interest between businesses "
                  "(DE 9, FR 10); empty: the dunning policy's margin.")
    law = models.CharField(max_length=200, blank=True, help_text="The rule's source, e.g. "
                                                                 "BGB §367(1).")

    class Meta:
        ordering = ["country"]

    def __str__(self):
        return f"{self.country}: {self.get_order_display().lower()}"


class PaymentsProfile(models.Model):
    """An account's payment settings kept by payments."""

    account = models.OneToOneField("customers.Account", on_delete=models.CASCADE,
                                   related_name="payments_profile")
    auto_apply_credit = models.BooleanField(
        default=False, help_text="Apply the account's customer credit to newly issued invoices "
                                 "automatically.")
    monthly_statement = models.BooleanField(
        default=False, help_text="Email last month's statement of account to the billing "
                                 "contacts early each month.")
    statements_sent_through = models.DateField(
        null=True, blank=True, editable=False,
        help_text="The last month end whose monthly statement was emailed.")

    class Meta:
        ordering = ["account"]

    def __str__(self):
        return f"Payment settings of {self.account}"


class LateChargeKind(models.TextChoices):
    FEE = "fee", "Late fee"
    INTEREST = "interest", "Late interest"


class LateChargeState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    WAIVED = "waived", "Waived"


def nothing_due(charge) -> bool:
    return charge.amount_due == 0


def nothing_paid(charge) -> bool:
    """A charge paid in part is settled by payment, not forgone."""
    return not charge.amount_paid


class LateCharge(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=10, choices=LateChargeKind.choices)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="late_charges")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT,
                                related_name="late_charges")
    dunning_event = models.ForeignKey("payments.DunningEvent", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="late_charges")
    currency = models.CharField(max_length=3)
    state = FSMField(default=LateChargeState.DRAFT, choices=LateChargeState.choices,
                     protected=True)
    issue_on = models.DateField()
    description = models.CharField(max_length=255)
    basis = models.DecimalField(**AMOUNT, help_text="The overdue amount it was computed on.")
    amount = models.DecimalField(**AMOUNT)
    amount_paid = models.DecimalField(**AMOUNT_ZERO)
    amount_due = models.DecimalField(**AMOUNT)
    # fees
    fee_fixed = models.DecimalField(**AMOUNT_ZERO)
    fee_percent = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    # interest: the days charged and the rate of each slice of them
    interest_from = models.DateField(null=True, blank=True)
    interest_through = models.DateField(null=True, blank=True)
    day_count = models.CharField(max_length=8, blank=True,
                                 choices=[(d.value, d.value) for d in DayCount])
    rate_slices = models.JSONField(default=list, blank=True,
                                   help_text="[[first, last, days, rate], ...]")
    fx_rate = models.DecimalField(**RATE)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text="Posted in the transaction that issues it.")
    waive_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    waive_reason = models.CharField(max_length=255, blank=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-issue_on", "-pk"]
        indexes = [models.Index(fields=["account", "currency", "state"]),
                   models.Index(fields=["-issue_on", "-id"], name="latecharge_list_order")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="latecharge_amount_positive"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0, amount_due__gte=0)
                                   & Q(amount=F("amount_paid") + F("amount_due")),
                                   name="latecharge_paid_and_due_add_up"),
            models.UniqueConstraint(fields=["dunning_event", "kind"],
                                    name="latecharge_once_per_step"),
        ]
        permissions = [("waive_late_charge", "Can waive late fees and interest")]

    def __str__(self):
        return self.number

    @transition(field=state, source=LateChargeState.DRAFT, target=LateChargeState.ISSUED,
                permission="payments.run_dunning")
    def issue(self):
        """Dunning issues it in the transaction that numbers, saves and posts it (the service
        has set the number and journal entry beforehand)."""

    @transition(field=state, source=LateChargeState.ISSUED, target=LateChargeState.PAID,
                conditions=[nothing_due], permission="payments.allocate_payment")
    def pay(self):
        pass

    @transition(field=state, source=LateChargeState.ISSUED, target=LateChargeState.WAIVED,
                conditions=[nothing_paid], permission="payments.waive_late_charge")
    def waive(self, *, reason: str, entry):
        self.waive_reason, self.waive_entry = reason[:255], entry


class LateChargePayment(models.Model):
    """Part of a payment that cleared a late charge."""

    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT,
                                related_name="late_charge_payments")
    late_charge = models.ForeignKey(LateCharge, on_delete=models.PROTECT,
                                    related_name="payments")
    amount = models.DecimalField(**AMOUNT, validators=[MinValueValidator(0)])
    functional_amount = models.DecimalField(**AMOUNT_ZERO)
    fx_difference = models.DecimalField(**AMOUNT_ZERO)
    paid_on = models.DateField()
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT,
                                      related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["late_charge", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="latechargepayment_positive")]

    def __str__(self):
        return f"{self.payment} → {self.late_charge}: {self.amount}"
