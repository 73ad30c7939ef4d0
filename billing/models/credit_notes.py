"""Credit notes: whole or partial corrections of an issued invoice, with their own gapless
series (CN-YYYY-NNNNNN). The life of a credit note: draft → issued. Issuing posts the reversing
entry and reduces the invoice's amount due (billing.services.settlement.apply_credit)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from billing.models.fields import AMOUNT, QUANTITY, RATE, UNIT_PRICE
from billing.models.invoices import TaxTotal
from core.fields import TimestampField
from customers.models import DocumentDelivery


class CreditNoteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"


class CreditNoteReason(models.TextChoices):
    """Why an invoice is credited. Goods returned (the customer sent them back) settles the
    refund liability of a right of return in revenue recognition; a price reduction for goods
    the customer keeps is a concession (goodwill, service issue), not a return."""

    BILLING_ERROR = "billing_error", "Billing error"
    DUPLICATE = "duplicate", "Duplicate charge"
    SERVICE_ISSUE = "service_issue", "Service issue"
    ORDER_CHANGE = "order_change", "Order change"
    RETURNED_GOODS = "returned_goods", "Goods returned"
    GOODWILL = "goodwill", "Goodwill"
    OTHER = "other", "Other"


class CreditNote(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(max_length=32, unique=True, null=True, blank=True,
                              help_text="CN-YYYY-NNNNNN, given on issue.")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT,
                                related_name="credit_notes")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="credit_notes")
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=20, choices=CreditNoteReason.choices)
    reason_note = models.TextField(blank=True)
    # Copies made on issue, as on invoices.
    seller = models.JSONField(default=dict, blank=True)
    buyer = models.JSONField(default=dict, blank=True)
    delivery = models.CharField(max_length=10, choices=DocumentDelivery.choices,
                                default=DocumentDelivery.EMAIL,
                                help_text="How it is delivered: the account's choice on issue.")
    einvoice_findings = models.JSONField(
        default=list, blank=True,
        help_text="The EN 16931 rules its e-invoice broke when last sent (then it was not sent).")
    state = FSMField(default=CreditNoteState.DRAFT, choices=CreditNoteState.choices,
                     protected=True)
    issue_on = models.DateField(null=True, blank=True)
    subtotal = models.DecimalField(**AMOUNT)
    tax_total = models.DecimalField(**AMOUNT)
    total = models.DecimalField(**AMOUNT)
    cash_rounding = models.DecimalField(**AMOUNT, db_default=Decimal(0),
                                        help_text="The share of the invoice's cash rounding "
                                                  "this note takes back.")
    fx_rate = models.DecimalField(**RATE, null=True, blank=True)
    functional_total = models.DecimalField(**AMOUNT)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to="credit_notes/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "state"]),
                   models.Index(fields=["state", "issue_on"]),
                   # the credit note list's keyset pages (core.pagination)
                   models.Index(fields=["-created_at", "-id"], name="creditnote_list_order")]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0),
                                   name="creditnote_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(state=CreditNoteState.DRAFT) | models.Q(number__isnull=False),
                name="creditnote_numbered_once_issued"),
        ]
        permissions = [("issue_credit_note", "Can create and issue credit notes")]

    def __str__(self):
        return self.number or f"Draft credit note {self.pk}"

    @transition(field=state, source=CreditNoteState.DRAFT, target=CreditNoteState.ISSUED,
                permission="billing.issue_credit_note")
    def issue(self):
        """The service has set the number, date, amounts and journal entry beforehand."""


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    invoice_line = models.ForeignKey("billing.InvoiceLine", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="credit_note_lines")
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**UNIT_PRICE)
    amount = models.DecimalField(**AMOUNT, help_text="Net credited, positive.")
    tax_amount = models.DecimalField(**AMOUNT)
    tax_detail = models.JSONField(default=list, blank=True)
    vat_category = models.CharField(max_length=2, blank=True)
    vat_percent = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    vat_exemption_reason = models.CharField(max_length=200, blank=True)
    vat_exemption_code = models.CharField(max_length=30, blank=True)
    vat_reason = models.CharField(max_length=300, blank=True, db_default="")
    vat_article = models.CharField(max_length=40, blank=True, db_default="")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["credit_note", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["credit_note", "position"],
                                    name="creditnoteline_unique_position"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="creditnoteline_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.credit_note} #{self.position} {self.description}"


class CreditNoteTax(TaxTotal):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="taxes")

    class Meta(TaxTotal.Meta):
        constraints = [
            models.UniqueConstraint(fields=["credit_note", "name", "percent", "region"],
                                    name="creditnotetax_unique_rate"),
        ]
