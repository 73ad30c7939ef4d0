"""Quotes and their lines. The life of a quote:

draft → pending_approval → approved → sent → accepted | declined | expired
draft → approved at once when no approval rule applies (`submit` returns the target);
pending_approval → draft when an approver rejects (with the reason);
any open state → superseded when a revision is made.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from catalog.charge_schedule import Alignment
from catalog.models import BillingPeriod
from catalog.proration import DayCount
from core.fields import TimestampField

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}


class QuoteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"


OPEN_STATES = [QuoteState.DRAFT, QuoteState.PENDING_APPROVAL, QuoteState.APPROVED, QuoteState.SENT]


class QuoteKind(models.TextChoices):
    NEW = "new", "New business"
    AMENDMENT = "amendment", "Amendment"
    RENEWAL = "renewal", "Renewal"


class Quote(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(max_length=20, help_text="Q-YYYY-NNNNN; versions share it.")
    version = models.PositiveSmallIntegerField(default=1)
    revises = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="revised_by")
    kind = models.CharField(max_length=16, choices=QuoteKind.choices, default=QuoteKind.NEW)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="quotes")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="quotes")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="quotes")
    currency = models.CharField(max_length=3)
    price_book = models.ForeignKey("catalog.PriceBook", on_delete=models.PROTECT,
                                   related_name="quotes")
    payment_terms = models.ForeignKey("customers.PaymentTerms", on_delete=models.PROTECT,
                                      related_name="+")
    start_on = models.DateField()
    starts_at = models.DateTimeField(
        null=True, blank=True,
        help_text="The moment service starts on the start day, in the account's time zone; "
                  "lines priced by the second charge their first period from it (empty: "
                  "from the start of the day).")
    term_months = models.PositiveSmallIntegerField(default=12,
                                                   validators=[MinValueValidator(1)])
    bill_day = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False,
        help_text="The account's bill day when the quote was made: the quote is priced and its "
                  "contract scheduled with it, whatever the account says later (empty: the "
                  "account's).")
    expires_on = models.DateField()
    customer_notes = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True)
    state = FSMField(default=QuoteState.DRAFT, choices=QuoteState.choices, protected=True)

    # Totals of the whole quote, in its currency, rounded per line then summed (services keep
    # them in step with the lines; nobody else writes them).
    list_total = models.DecimalField(**AMOUNT)
    discount_total = models.DecimalField(**AMOUNT)
    one_time_total = models.DecimalField(**AMOUNT)
    recurring_monthly = models.DecimalField(**AMOUNT)
    annual_contract_value = models.DecimalField(**AMOUNT)
    total_contract_value = models.DecimalField(**AMOUNT,
                                               help_text="Net of the lines and of coupons.")
    tax_estimate = models.DecimalField(**AMOUNT)
    coupon_total = models.DecimalField(**AMOUNT, help_text="What the coupons take off over the "
                                                           "term (quotes.coupon_amounts).")
    contract_coupons = models.ManyToManyField(
        "catalog.Coupon", blank=True, related_name="+",
        help_text="On an amendment: the contract's coupons still running on its lines on the "
                  "effective date (recorded when the amendment starts); the stacking rule "
                  "counts them.")

    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_pdf = models.BinaryField(null=True, blank=True, editable=False)
    sent_pdf_sha256 = models.CharField(max_length=64, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=200, blank=True)
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    signer_user_agent = models.CharField(max_length=500, blank=True)
    signed_pdf_sha256 = models.CharField(max_length=64, blank=True)
    decline_reason = models.TextField(blank=True)
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "state"]),
                   models.Index(fields=["state", "expires_on"]),
                   # analytics: quotes sent and decided in a period
                   models.Index(fields=["sent_at"]), models.Index(fields=["decided_at"])]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"],
                                    name="quote_unique_number_version"),
            models.CheckConstraint(condition=models.Q(term_months__gte=1),
                                   name="quote_term_positive"),
        ]
        permissions = [
            ("view_team_quotes", "Can view the quotes of the team one manages"),
            ("view_all_quotes", "Can view every quote"),
            ("submit_quote", "Can submit a quote for approval"),
            ("approve_quote", "Can approve or reject a quote's discounts"),
            ("send_quote", "Can send a quote to the customer"),
            ("revise_quote", "Can revise a quote into a new version"),
            ("expire_quote", "Can expire quotes past their expiry date"),
        ]

    def __str__(self):
        return f"{self.number} v{self.version}" if self.version > 1 else self.number

    @property
    def billed_on_day(self) -> int:
        """The bill day the quote's lines are priced and scheduled with."""
        return self.bill_day or self.account.bill_day

    @property
    def is_editable(self) -> bool:
        return self.state == QuoteState.DRAFT

    @transition(field=state, source=QuoteState.DRAFT,
                target=RETURN_VALUE(QuoteState.PENDING_APPROVAL, QuoteState.APPROVED),
                permission="quotes.submit_quote")
    def submit(self, *, needs_approval: bool, at=None):
        """Goes to approval when a rule applies, else is approved at once."""
        self.submitted_at = at
        if needs_approval:
            return QuoteState.PENDING_APPROVAL
        self.approved_at = at
        return QuoteState.APPROVED

    @transition(field=state, source=QuoteState.PENDING_APPROVAL, target=QuoteState.APPROVED,
                permission="quotes.approve_quote")
    def approve(self, *, at=None):
        self.approved_at = at

    @transition(field=state, source=QuoteState.PENDING_APPROVAL, target=QuoteState.DRAFT,
                permission="quotes.approve_quote")
    def reject(self):
        self.submitted_at = None

    @transition(field=state, source=QuoteState.APPROVED, target=QuoteState.SENT,
                permission="quotes.send_quote")
    def send(self, *, pdf: bytes, sha256: str, at=None):
        self.sent_pdf, self.sent_pdf_sha256, self.sent_at = pdf, sha256, at

    @transition(field=state, source=QuoteState.SENT, target=QuoteState.ACCEPTED)
    def accept(self, *, name: str, title: str, ip: str | None, user_agent: str, at=None):
        """Only through the customer's signed link: the valid token is the permission."""
        self.signer_name, self.signer_title, self.signer_ip = name, title, ip
        self.signer_user_agent, self.decided_at = user_agent[:500], at
        self.signed_pdf_sha256 = self.sent_pdf_sha256

    @transition(field=state, source=QuoteState.SENT, target=QuoteState.DECLINED)
    def decline(self, *, reason: str, at=None):
        self.decline_reason, self.decided_at = reason, at

    @transition(field=state, source=[QuoteState.APPROVED, QuoteState.SENT],
                target=QuoteState.EXPIRED, permission="quotes.expire_quote")
    def expire(self):
        pass

    @transition(field=state, source=OPEN_STATES, target=QuoteState.SUPERSEDED,
                permission="quotes.revise_quote")
    def supersede(self):
        pass


class QuoteLine(models.Model):
    """One priced product on a quote. `price_snapshot` is the frozen price model the line was
    priced with (catalog.pricing.PriceSpec.to_dict()); contracts, billing and renewals price
    from it, never from the live price book."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="options",
                               help_text="The configured product this option belongs to.")
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(max_digits=19, decimal_places=4, default=Decimal("1"),
                                   validators=[MinValueValidator(0)])
    billing_period = models.CharField(max_length=16)
    billing_alignment = models.CharField(
        max_length=16, choices=[(a.value, a.label) for a in Alignment],
        default=Alignment.BILL_DAY,
        help_text="Where its billing periods start: the account's bill day, the line's own "
                  "start day, or the calendar period. Kept on the contract line.")
    proration_convention = models.CharField(
        max_length=16, blank=True, choices=[(d.value, d.value) for d in DayCount],
        help_text="The day count its part periods are prorated by; empty: the policy's "
                  "(an amendment or renewal line keeps its contract line's).")
    price_snapshot = models.JSONField()
    discount_percent = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    discount_per_period = models.DecimalField(**AMOUNT,
                                              help_text="Amount off each billing period.")
    included = models.BooleanField(default=False,
                                   help_text="Priced inside its parent or bundle.")
    section = models.CharField(max_length=100, blank=True,
                               help_text="The heading the line is grouped under (top-level "
                                         "lines; options follow their parent).")
    note = models.TextField(blank=True, help_text="Shown under the line, on the PDF too.")
    # The priced result (catalog.pricing.LinePrice), rounded to the quote's currency.
    list_unit_price = models.DecimalField(max_digits=19, decimal_places=6, default=Decimal("0"))
    list_per_period = models.DecimalField(**AMOUNT)
    amount_per_period = models.DecimalField(**AMOUNT)
    list_amount = models.DecimalField(**AMOUNT)
    discount_amount = models.DecimalField(**AMOUNT)
    net_amount = models.DecimalField(**AMOUNT, help_text="Net over the term, before coupons.")
    coupon_amount = models.DecimalField(**AMOUNT, help_text="What the quote's coupons take off "
                                                            "it over the term.")
    tax_amount = models.DecimalField(**AMOUNT, help_text="On the net less the coupons.")
    prefilled_from = models.JSONField(
        null=True, blank=True, editable=False,
        help_text="On an amendment or renewal: the contract line it was prefilled with "
                  "(quantity, discounts, price, alignment), so the quote knows what it changes.")

    class Meta:
        ordering = ["quote", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"],
                                    name="quoteline_unique_position"),
            models.CheckConstraint(condition=models.Q(discount_percent__gte=0,
                                                      discount_percent__lte=100),
                                   name="quoteline_discount_percent_range"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0),
                                   name="quoteline_quantity_not_negative"),
        ]

    def __str__(self):
        return f"{self.quote} #{self.position} {self.product_id} × {self.quantity}"

    @property
    def is_recurring(self) -> bool:
        return self.billing_period != BillingPeriod.ONE_TIME

    @property
    def off_per_period(self) -> Decimal:
        """What the discount takes off each period, whether given as a percent or an amount."""
        return self.list_per_period - self.amount_per_period

    @property
    def billing_period_label(self) -> str:
        return BillingPeriod(self.billing_period).label

    @property
    def changes_its_contract_line(self) -> bool:
        """Whether the line is new or differs from the contract line it was prefilled with:
        what an amendment's coupons apply to."""
        before = self.prefilled_from
        if before is None:
            return True
        return (Decimal(before["quantity"]) != self.quantity
                or Decimal(before["discount_percent"]) != self.discount_percent
                or Decimal(before.get("discount_per_period", "0")) != self.discount_per_period
                or before["price_snapshot"] != self.price_snapshot
                or before["billing_alignment"] != self.billing_alignment
                or before["billing_period"] != self.billing_period)


class QuoteCoupon(models.Model):
    """A coupon applied to a quote, in the order applied (stacked coupons apply in it). Once the
    quote is accepted it is a redemption: `redeemed_on` is set, and it counts against the
    coupon's limit (the acceptance locks the coupon's row to count)."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="coupons")
    coupon = models.ForeignKey("catalog.Coupon", on_delete=models.PROTECT,
                               related_name="quote_coupons")
    position = models.PositiveSmallIntegerField()
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    applied_on = models.DateField()
    discount_amount = models.DecimalField(**AMOUNT, help_text="What it takes off over the term.")
    redeemed_on = models.DateField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="A renewal carries the contract's coupon from this redemption: not a new "
                  "redemption (never redeemed, never counted against the coupon's limit).")
    periods = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="A carried repeating coupon's remaining billing periods (empty: its own "
                  "duration).")

    class Meta:
        ordering = ["quote", "position", "pk"]
        indexes = [models.Index(fields=["coupon"], condition=models.Q(redeemed_on__isnull=False),
                                name="quotecoupon_redeemed")]
        constraints = [
            models.UniqueConstraint(fields=["quote", "coupon"], name="quotecoupon_once_a_quote"),
            models.UniqueConstraint(fields=["quote", "position"],
                                    name="quotecoupon_unique_position"),
        ]

    def __str__(self):
        return f"{self.quote} {self.coupon_id}"

    @property
    def redemption_id(self) -> int:
        """The redemption this coupon is: its own, or the one a renewal carries."""
        return self.carried_from_id or self.pk


class ApprovalCondition(models.TextChoices):
    LINE_DISCOUNT = "line_discount", "A line's discount above N%"
    TOTAL_DISCOUNT = "total_discount", "The quote's total discount above N%"
    TCV_ABOVE = "tcv_above", "Total contract value above an amount"
    PAYMENT_TERMS = "payment_terms", "Payment terms longer than N days"
    FIRST_YEAR_CASH = "first_year_cash", ("Cash due in the first 12 months below N% of the "
                                          "total contract value")
    DEFERRED_REVENUE = "deferred_revenue", ("Revenue recognized after the first 12 months "
                                            "above N% of the total contract value")


class ApprovalRule(models.Model):
    """When a quote needs someone's approval; kept in admin. Rules of one level are decided
    together; a level is asked only after every lower level has approved."""

    name = models.CharField(max_length=100)
    condition = models.CharField(max_length=20, choices=ApprovalCondition.choices)
    threshold = models.DecimalField(max_digits=19, decimal_places=4,
                                    help_text="N (percent or days) or the amount.")
    currency = models.CharField(max_length=3, blank=True,
                                help_text="For amounts: the rule applies to quotes in it.")
    group = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+",
                              help_text="Who approves.")
    level = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["level", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__gte=0),
                                   name="approvalrule_threshold_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(condition="tcv_above") | ~models.Q(currency=""),
                name="approvalrule_amount_has_currency"),
        ]

    def __str__(self):
        return f"{self.name} (level {self.level}, {self.group})"


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class ApprovalRequest(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One level's approval of one submission of a quote, asked of one group (or, when no other
    member of the rule's group can decide, of the owner's manager by name)."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="approval_requests")
    level = models.PositiveSmallIntegerField()
    group = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="Set when the request is routed to one person.")
    routing = models.CharField(max_length=300, blank=True,
                               help_text="Why it went elsewhere than the rule's group.")
    reasons = models.JSONField(default=list, help_text="Why the rules hit, in words.")
    rules = models.JSONField(default=list, help_text="Names of the rules that hit.")
    state = FSMField(default=ApprovalState.PENDING, choices=ApprovalState.choices,
                     protected=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["quote", "level", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "level", "group"],
                                    condition=models.Q(state="pending"),
                                    name="approvalrequest_one_open_per_level_group"),
        ]

    def __str__(self):
        return f"{self.quote} level {self.level} ({self.group})"

    @transition(field=state, source=ApprovalState.PENDING, target=ApprovalState.APPROVED,
                permission="quotes.approve_quote")
    def approve(self, *, user, comment: str = "", at=None):
        self.decided_by, self.comment, self.decided_at = user, comment, at

    @transition(field=state, source=ApprovalState.PENDING, target=ApprovalState.REJECTED,
                permission="quotes.approve_quote")
    def reject(self, *, user, comment: str, at=None):
        self.decided_by, self.comment, self.decided_at = user, comment, at

    @transition(field=state, source=ApprovalState.PENDING, target=ApprovalState.CANCELLED)
    def cancel(self):
        pass


class QuoteTemplate(models.Model):
    """A named set of lines a rep starts quotes from: products with their quantities, options,
    discounts, billing period, sections and notes; priced from each new quote's own book."""

    name = models.CharField(max_length=100, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class QuoteTemplateLine(models.Model):
    template = models.ForeignKey(QuoteTemplate, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=19, decimal_places=4)
    options = models.JSONField(null=True, blank=True,
                               help_text="A configured product's options: SKU → quantity.")
    discount_percent = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    discount_per_period = models.DecimalField(**AMOUNT)
    billing_period = models.CharField(max_length=16, blank=True)
    section = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"],
                                    name="quotetemplateline_unique_position"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                   name="quotetemplateline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.template} #{self.position}"
