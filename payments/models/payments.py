"""Cash received and where it went. The life of a payment:

pending → succeeded | failed;  succeeded → disputed → succeeded (won) | lost;
succeeded → partially_refunded → refunded (a refund of part, then of the rest)

A payment's amount is split between invoices (allocations, through billing's settlement
services, which alone change an invoice), refunds, an open dispute, and what is left: its
unapplied cash, which is the account's credit balance until it is applied to a later invoice.
The stored `amount_applied`, `amount_refunded` and `amount_disputed` are moved only by
payments.services, and the database refuses any split that adds up to more than the payment.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.fields import TimestampField
from payments.cash_discount import DiscountTaxMode
from payments.models.fields import AMOUNT, AMOUNT_ZERO, RATE


class PaymentMethodKind(models.TextChoices):
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHECK = "check", "Check"
    WIRE = "wire", "Wire"


class PaymentState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    DISPUTED = "disputed", "Disputed"
    LOST = "lost", "Lost (chargeback)"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


# States whose money is ours to apply or refund.
HELD_STATES = (PaymentState.SUCCEEDED, PaymentState.PARTIALLY_REFUNDED)


def refundable(payment) -> bool:
    """Some of the payment is neither refunded nor disputed yet."""
    return payment.refundable_amount > 0


def by_card(payment) -> bool:
    """Only a card network charges money back."""
    return payment.method == PaymentMethodKind.CARD


class Payment(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="payments")
    method = models.CharField(max_length=16, choices=PaymentMethodKind.choices)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    received_on = models.DateField()
    reference = models.CharField(max_length=140, blank=True,
                                 help_text="The payer's reference (bank text, check number).")
    state = FSMField(default=PaymentState.PENDING, choices=PaymentState.choices, protected=True)

    gateway = models.CharField(max_length=32, blank=True)
    gateway_reference = models.CharField(max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(
        max_length=80, unique=True, null=True, blank=True,
        help_text="Sent with the charge, made from our row ids: a retry never charges twice.")
    payment_method = models.ForeignKey("payments.PaymentMethod", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey("billing.Invoice", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="card_payments",
                                help_text="The invoice a card charge was made for.")
    autopay = models.BooleanField(default=False)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)

    fx_rate = models.DecimalField(**RATE, null=True, blank=True,
                                  help_text="Functional-currency units per unit on receipt.")
    functional_amount = models.DecimalField(**AMOUNT_ZERO)
    amount_applied = models.DecimalField(**AMOUNT_ZERO)
    amount_refunded = models.DecimalField(**AMOUNT_ZERO)
    amount_disputed = models.DecimalField(**AMOUNT_ZERO)
    receipt_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["account", "state"]),
                   models.Index(fields=["state", "received_on"]),
                   # the payment list's keyset pages (core.pagination), all and by account
                   # (the account page's latest payments too)
                   models.Index(fields=["-received_on", "-id"], name="payment_list_order"),
                   models.Index(fields=["account", "-received_on", "-id"],
                                name="payment_latest_of_account")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_applied__gte=0, amount_refunded__gte=0,
                            amount_disputed__gte=0),
                name="payment_parts_not_negative"),
            models.CheckConstraint(
                condition=Q(amount__gte=F("amount_applied") + F("amount_refunded")
                            + F("amount_disputed")),
                name="payment_never_applied_beyond_its_amount"),
        ]
        permissions = [
            ("record_payment", "Can record payments received"),
            ("allocate_payment", "Can apply payments and credit balances to invoices"),
            ("refund_payment", "Can refund payments"),
            ("manage_dispute", "Can record chargebacks and their outcome"),
            ("import_statement", "Can import bank statements and confirm their matches"),
            ("charge_card", "Can charge saved cards (autopay, retries)"),
            ("write_off_invoice", "Can write off an invoice from the payments pages"),
            ("view_all_payments", "Can view every account's payments"),
            ("view_team_payments", "Can view the payments of the team's accounts"),
        ]

    def __str__(self):
        return f"PAY-{self.pk:06d}" if self.pk else "New payment"

    @property
    def refundable_amount(self):
        """Cash of this payment not yet refunded or disputed: what the refund form offers (the
        refund service also keeps back what paid late charges)."""
        return self.amount - self.amount_refunded - self.amount_disputed

    @property
    def unapplied(self):
        """Cash of this payment not on an invoice, refunded or disputed: the credit balance."""
        if self.state not in HELD_STATES:
            return 0
        return self.amount - self.amount_applied - self.amount_refunded - self.amount_disputed

    @transition(field=state, source=PaymentState.PENDING, target=PaymentState.SUCCEEDED,
                permission="payments.record_payment")
    def succeed(self):
        """The service has set the rate and receipt entry beforehand."""

    @transition(field=state, source=PaymentState.PENDING, target=PaymentState.FAILED,
                permission="payments.record_payment")
    def fail(self, *, code: str, message: str):
        self.failure_code, self.failure_message = code[:40], message[:255]

    @transition(field=state, source=HELD_STATES,
                target=RETURN_VALUE(PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED),
                conditions=[refundable], permission="payments.refund_payment")
    def refund(self, *, amount):
        """Part of what is left (partially refunded) or the rest of it (refunded)."""
        self.amount_refunded += amount
        if self.amount_refunded == self.amount:
            return PaymentState.REFUNDED
        return PaymentState.PARTIALLY_REFUNDED

    @transition(field=state, source=PaymentState.SUCCEEDED, target=PaymentState.DISPUTED,
                conditions=[by_card], permission="payments.manage_dispute")
    def dispute(self):
        pass

    @transition(field=state, source=PaymentState.DISPUTED, target=PaymentState.SUCCEEDED,
                permission="payments.manage_dispute")
    def win_dispute(self):
        pass

    @transition(field=state, source=PaymentState.DISPUTED, target=PaymentState.LOST,
                permission="payments.manage_dispute")
    def lose_dispute(self):
        pass


class Allocation(models.Model):
    """Part of a payment applied to an invoice (positive) or taken back off it (negative: a
    refund or dispute), with the early-payment discount granted and the ledger entry."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT,
                                related_name="allocations")
    amount = models.DecimalField(**AMOUNT, help_text="In the invoice's (= payment's) currency.")
    discount = models.DecimalField(**AMOUNT_ZERO, help_text="Early-payment discount granted.")
    discount_tax = models.DecimalField(
        **AMOUNT_ZERO, help_text="The part of the discount that corrected the invoice's tax.")
    discount_tax_mode = models.CharField(
        max_length=20, blank=True, choices=[
            (DiscountTaxMode.ALWAYS.value, "Tax always reduced (on the invoice)"),
            (DiscountTaxMode.ON_EARLY_PAYMENT.value, "Tax reduced on early payment"),
            (DiscountTaxMode.NEVER.value, "Tax never reduced")],
        help_text="The company's cash discount tax mode the discount was granted under.")
    functional_amount = models.DecimalField(
        **AMOUNT_ZERO, help_text="Receivable cleared, at the invoice's booked rate.")
    fx_difference = models.DecimalField(**AMOUNT_ZERO,
                                        help_text="Realized FX: loss positive, gain negative.")
    allocated_on = models.DateField()
    note = models.CharField(max_length=255, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["payment", "pk"]
        indexes = [models.Index(fields=["invoice", "payment"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="allocation_amount_not_zero"),
            models.CheckConstraint(condition=Q(discount__gte=0),
                                   name="allocation_discount_not_negative"),
        ]

    def __str__(self):
        return f"{self.payment} → {self.invoice}: {self.amount}"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**AMOUNT)
    refunded_on = models.DateField()
    reason = models.CharField(max_length=255)
    gateway_reference = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["payment", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"Refund of {self.amount} on {self.payment}"


class DisputeState(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Dispute(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A chargeback: the money is taken off the invoices while open, restored or lost at the
    end. Each step posts its own entry."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    amount = models.DecimalField(**AMOUNT)
    reason = models.CharField(max_length=255)
    gateway_reference = models.CharField(max_length=64, blank=True)
    state = FSMField(default=DisputeState.OPEN, choices=DisputeState.choices, protected=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    opening_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    closing_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reversed_allocations = models.JSONField(
        default=list, blank=True, help_text="[[invoice id, amount], ...] taken off on opening.")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["payment", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.UniqueConstraint(fields=["payment"], condition=Q(state="open"),
                                    name="dispute_one_open_per_payment"),
        ]

    def __str__(self):
        return f"Dispute on {self.payment} ({self.get_state_display().lower()})"

    @transition(field=state, source=DisputeState.OPEN, target=DisputeState.WON,
                permission="payments.manage_dispute")
    def win(self, *, day):
        self.closed_on = day

    @transition(field=state, source=DisputeState.OPEN, target=DisputeState.LOST,
                permission="payments.manage_dispute")
    def lose(self, *, day):
        self.closed_on = day
