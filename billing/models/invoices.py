"""Invoices, their lines, tax totals per rate and due schedule. The life of an invoice:

draft → issued ⇄ partially_paid ⇄ paid;  issued | partially_paid → uncollectible;  issued → void

A draft is edited freely (lines, manual charges) or discarded (deleted: its billing records go
with it, so the charges bill again). `issue` gives it its number, due schedule and journal entry;
from then on nothing about it changes but its amounts settled: `amount_due` is stored and moved
only by billing.services.settlement (payments, reversals, credit notes, write-off). Void (with no
payment or credit applied) reverses the journal and keeps the number.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from billing.models.fields import AMOUNT, QUANTITY, RATE, UNIT_PRICE
from catalog.models.price_books import INCLUSIVE_ROUNDING_CHOICES, ROUNDING_MODE_CHOICES
from catalog.policies import EARLY_DISCOUNT_TAX_MODE_CHOICES
from catalog.tax import TaxRounding
from core.fields import TimestampField
from core.loading import DirectLoad
from customers.models import DocumentDelivery


class InvoiceState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    UNCOLLECTIBLE = "uncollectible", "Uncollectible"


OPEN_STATES = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID)
CREDITABLE_STATES = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID)
TAX_ROUNDING_CHOICES = [(TaxRounding.PER_LINE.value, "Per line"),
                        (TaxRounding.PER_DOCUMENT.value, "Per document"),
                        # as invoices issued before December 2026 recorded the setting
                        ("line", "Per line"), ("invoice", "Per document")]


class InvoiceKind(models.TextChoices):
    RUN = "run", "Invoice run"
    MANUAL = "manual", "Manual"
    MIGRATED = "migrated", "Migrated (opening balance)"


def nothing_applied(invoice) -> bool:
    return not invoice.amount_paid and not invoice.amount_credited


def fully_settled(invoice) -> bool:
    return invoice.amount_due == 0


def partly_settled(invoice) -> bool:
    return invoice.amount_due > 0 and invoice.amount_paid > 0


def nothing_paid(invoice) -> bool:
    return invoice.amount_due > 0 and invoice.amount_paid == 0


def has_lines_total(invoice) -> bool:
    return invoice.total >= 0


class Invoice(DirectLoad, ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(max_length=32, unique=True, null=True, blank=True,
                              help_text="INV-YYYY-NNNNNN, given on issue (migrated invoices keep "
                                        "the previous system's number).")
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.RUN)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="invoices")
    currency = models.CharField(max_length=3)
    run = models.ForeignKey("billing.InvoiceRun", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="invoices")
    state = FSMField(default=InvoiceState.DRAFT, choices=InvoiceState.choices, protected=True)

    issue_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True,
                              help_text="When the last instalment is due.")
    memo = models.TextField(blank=True, help_text="Printed on the invoice (its note, BT-22).")
    buyer_reference = models.CharField(max_length=200, blank=True,
                                       help_text="The account's, unless set on the draft.")
    purchase_order = models.CharField("PO number", max_length=100, blank=True,
                                      help_text="The account's, unless set on the draft.")
    # Copies made on issue (billing.einvoice.parties), so the document keeps its own.
    seller = models.JSONField(default=dict, blank=True)
    buyer = models.JSONField(default=dict, blank=True)
    payment_means = models.JSONField(default=dict, blank=True)
    delivery = models.CharField(max_length=10, choices=DocumentDelivery.choices,
                                default=DocumentDelivery.EMAIL,
                                help_text="How it is delivered: the account's choice on issue.")
    einvoice_findings = models.JSONField(
        default=list, blank=True,
        help_text="The EN 16931 rules its e-invoice broke when last sent (then it was not sent).")

    subtotal = models.DecimalField(**AMOUNT)
    tax_total = models.DecimalField(**AMOUNT)
    total = models.DecimalField(**AMOUNT)
    amount_due = models.DecimalField(**AMOUNT, help_text="Changed only by billing services.")
    amount_paid = models.DecimalField(**AMOUNT)
    amount_credited = models.DecimalField(**AMOUNT)
    amount_written_off = models.DecimalField(**AMOUNT)
    tax_exempt = models.BooleanField(default=False, help_text="The account's exemption when "
                                                              "taxed.")
    # The rounding policy of the prices it bills (catalog.rounding), copied when the draft is
    # made and read from here by retaxing, issuing and its credit notes.
    # (database defaults too, so raw bulk inserts that predate these columns still work)
    rounding_mode = models.CharField(max_length=16, blank=True, db_default="",
                                     choices=ROUNDING_MODE_CHOICES,
                                     help_text="Empty (invoices drafted before it was kept): "
                                               "half up.")
    tax_rounding = models.CharField(max_length=16, blank=True, choices=TAX_ROUNDING_CHOICES,
                                    help_text="Empty: the company default when it was taxed.")
    cash_rounding_step = models.DecimalField(max_digits=9, decimal_places=4, null=True,
                                             blank=True,
                                             help_text="The total is rounded to this step.")
    inclusive_rounding = models.CharField(max_length=16, blank=True, db_default="",
                                          choices=INCLUSIVE_ROUNDING_CHOICES,
                                          help_text="Tax-inclusive prices: which of net and tax "
                                                    "is rounded first. Empty: the tax.")
    cash_rounding = models.DecimalField(**AMOUNT, db_default=Decimal(0),
                                        help_text="Rounded total − (subtotal + tax): "
                                                            "its own line (BT-114).")
    # The early-payment discount its terms grant and the company's tax mode for it
    # (catalog.policies), copied on issue; payments read them from here.
    early_discount_tax_mode = models.CharField(
        max_length=20, blank=True, db_default="", choices=EARLY_DISCOUNT_TAX_MODE_CHOICES,
        help_text="Set on issue. Always: the tax was computed on the net less the discount.")
    early_discount_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True,
        help_text="Paid within the early-payment days, this percent is taken off; set on issue.")
    early_discount_days = models.PositiveIntegerField(null=True, blank=True)

    functional_currency = models.CharField(max_length=3, blank=True)
    fx_rate = models.DecimalField(**RATE, null=True, blank=True,
                                  help_text="Functional-currency units per unit, on issue.")
    functional_total = models.DecimalField(**AMOUNT)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    void_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    write_off_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    pdf = models.FileField(upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    voided_on = models.DateField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    written_off_on = models.DateField(null=True, blank=True)
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "state"]),
                   models.Index(fields=["state", "issue_on"]),
                   models.Index(fields=["state", "due_on"]),
                   # the invoice list's keyset pages (core.pagination), all and by state, and
                   # the account page's latest invoices
                   models.Index(fields=["-created_at", "-id"], name="invoice_list_order"),
                   models.Index(fields=["state", "-created_at", "-id"],
                                name="invoice_list_by_state"),
                   models.Index(fields=["account", "-issue_on", "-id"],
                                name="invoice_latest_of_account")]
        constraints = [
            models.UniqueConstraint(fields=["run", "account", "currency"],
                                    condition=models.Q(run__isnull=False),
                                    name="invoice_one_per_run_account_currency"),
            models.CheckConstraint(condition=models.Q(amount_due__gte=0),
                                   name="invoice_amount_due_not_negative"),
            models.CheckConstraint(condition=models.Q(amount_paid__gte=0),
                                   name="invoice_amount_paid_not_negative"),
            models.CheckConstraint(condition=models.Q(amount_credited__gte=0),
                                   name="invoice_amount_credited_not_negative"),
            models.CheckConstraint(
                condition=models.Q(state=InvoiceState.DRAFT) | models.Q(number__isnull=False),
                name="invoice_numbered_once_issued"),
        ]
        permissions = [
            ("view_team_invoices", "Can view the invoices of the team's accounts"),
            ("view_all_invoices", "Can view every invoice"),
            ("edit_draft_invoice", "Can create, edit and discard draft invoices"),
            ("issue_invoice", "Can issue invoices"),
            ("void_invoice", "Can void an issued invoice with no payment applied"),
            ("apply_payment", "Can apply and reverse payments on invoices"),
            ("mark_invoice_uncollectible", "Can write off an invoice as uncollectible"),
        ]

    def __str__(self):
        return self.number or f"Draft {self.pk}"

    @property
    def state_fields(self):
        """The FSM field ConcurrentTransitionMixin guards, named: django-fsm finds it by testing
        each of the fifty fields of every instance, a third of loading a run's drafts to issue
        them (issue 23)."""
        return (self._meta.get_field("state"),)

    @property
    def is_draft(self) -> bool:
        return self.state == InvoiceState.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @transition(field=state, source=InvoiceState.DRAFT, target=InvoiceState.ISSUED,
                conditions=[has_lines_total], permission="billing.issue_invoice")
    def issue(self):
        """The service has set the number, dates, amounts and journal entry beforehand."""

    @transition(field=state, source=[InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID],
                target=InvoiceState.PAID, conditions=[fully_settled],
                permission="billing.apply_payment")
    def pay(self):
        pass

    @transition(field=state, source=[InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID],
                target=InvoiceState.PARTIALLY_PAID, conditions=[partly_settled],
                permission="billing.apply_payment")
    def pay_partially(self):
        pass

    @transition(field=state, source=[InvoiceState.PAID, InvoiceState.PARTIALLY_PAID],
                target=InvoiceState.PARTIALLY_PAID, conditions=[partly_settled],
                permission="billing.apply_payment")
    def reopen_partially(self):
        """A refund, dispute or reversal took back part of what was paid."""

    @transition(field=state, source=[InvoiceState.PAID, InvoiceState.PARTIALLY_PAID],
                target=InvoiceState.ISSUED, conditions=[nothing_paid],
                permission="billing.apply_payment")
    def reopen(self):
        """Every payment was taken back."""

    @transition(field=state, source=[InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID],
                target=InvoiceState.UNCOLLECTIBLE,
                permission="billing.mark_invoice_uncollectible")
    def write_off(self, *, day):
        self.written_off_on = day

    @transition(field=state, source=CREDITABLE_STATES, target=None,
                permission="billing.issue_credit_note")
    def credit(self):
        """A credit note may be written against the invoice now. The state stays: the amounts
        the credit settles move it afterwards (pay, reopen). Asked by the invoice page's button
        and the credit note service, so both follow this one rule."""

    @transition(field=state, source=InvoiceState.ISSUED, target=InvoiceState.VOID,
                conditions=[nothing_applied], permission="billing.void_invoice")
    def void(self, *, day, reason: str):
        self.voided_on, self.void_reason = day, reason


class LineSource(models.TextChoices):
    RECURRING = "recurring", "Subscription"
    AMENDMENT_CREDIT = "amendment_credit", "Amendment credit"
    ONE_TIME = "one_time", "One-time"
    USAGE = "usage", "Usage"
    SHORTFALL = "shortfall", "Minimum commitment shortfall"
    MANUAL = "manual", "Manual charge"
    MIGRATED = "migrated", "Opening balance"


class InvoiceLine(DirectLoad, models.Model):
    """One charge (or credit, negative) with the period it covers and where it came from."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=20, choices=LineSource.choices)
    contract_line = models.ForeignKey("contracts.ContractLine", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**UNIT_PRICE)
    amount = models.DecimalField(**AMOUNT, help_text="Net, rounded to the currency.")
    inclusive_amount = models.DecimalField(
        **{**AMOUNT, "default": None}, null=True, blank=True,
        help_text="A tax-inclusive price's gross: kept so that retaxing starts from it "
                  "(the net is what is left once the tax is taken out).")
    tax_amount = models.DecimalField(**AMOUNT)
    tax_detail = models.JSONField(default=list, blank=True,
                                  help_text='[{"name": "VAT", "percent": "20", "amount": "2.00"}]')
    tax_category = models.CharField(max_length=32, blank=True)
    vat_category = models.CharField(max_length=2, blank=True,
                                    help_text="UNCL 5305 (S, Z, E, AE, K, G, O), set on issue.")
    vat_percent = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    vat_exemption_reason = models.CharField(max_length=200, blank=True)
    vat_exemption_code = models.CharField(max_length=30, blank=True)
    vat_reason = models.CharField(max_length=300, blank=True, db_default="",
                                  help_text="Why the line is taxed so (the VAT treatment's "
                                            "reason), printed under it.")
    vat_article = models.CharField(max_length=40, blank=True, db_default="",
                                   help_text="The article of Directive 2006/112/EC applied.")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True, help_text="Last day (inclusive).")
    proration = models.DecimalField(max_digits=12, decimal_places=10, null=True, blank=True,
                                    help_text="Share of a full period; empty when whole.")

    class Meta:
        ordering = ["invoice", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"],
                                    name="invoiceline_unique_position"),
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="invoiceline_period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.invoice} #{self.position} {self.description}"

    @property
    def gross(self):
        return self.amount + self.tax_amount


class TaxTotal(models.Model):
    """One tax (name, rate, where) summed over a document: its taxable base and tax."""

    name = models.CharField(max_length=50)
    percent = models.DecimalField(max_digits=7, decimal_places=4)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=50, blank=True)
    taxable_amount = models.DecimalField(**AMOUNT)
    tax_amount = models.DecimalField(**AMOUNT)
    per_unit_amount = models.DecimalField(
        max_digits=19, decimal_places=4, null=True, blank=True,
        help_text="A levy per unit (its percent is 0): the amount charged on each unit.")

    class Meta:
        abstract = True
        ordering = ["name", "percent"]

    def __str__(self):
        return f"{self.name} {self.percent.normalize():f}%: {self.tax_amount}"


class InvoiceTax(TaxTotal):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="taxes")

    class Meta(TaxTotal.Meta):
        constraints = [
            models.UniqueConstraint(fields=["invoice", "name", "percent", "region"],
                                    name="invoicetax_unique_rate"),
        ]


class DueInstalment(models.Model):
    """One due date and amount of an issued invoice; together they add up to its total."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["invoice", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "sequence"],
                                    name="dueinstalment_unique_sequence"),
        ]

    def __str__(self):
        return f"{self.amount} due {self.due_on}"
