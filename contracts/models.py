"""Contracts and their lines (the subscriptions). The life of a contract:

draft → out_for_signature → signed → active → expired | renewed | terminated

The customer signs through their link (`sign`, the hash of the PDF they saw recorded); a user with
the permission then countersigns (`countersign`, recorded in history, state stays signed);
`activate` needs the countersignature and runs on or after the start date. Once active, lines never
change in place: an amendment ends a line (its end date and status, nothing else) and starts a new
one from its effective date. Contracts imported from the previous system and contracts that renew
themselves are created active (a creation, recorded in history, not a state change).

Around a contract: `Amendment` (a quote of kind amendment against it), `Termination` (effective
date and the prorated credit), `Renewal` (its renewal quote) and `RenewalReminder` (each reminder
sent once).
"""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from catalog.charge_schedule import Alignment, ChargeKind
from catalog.models import BillingPeriod
from catalog.proration import DayCount, Granularity
from contracts.terms import unknown_placeholders
from core.fields import TimestampField

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}
PERCENT = {"max_digits": 7, "decimal_places": 4, "default": Decimal("0"),
           "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class ContractTemplate(models.Model):
    """Terms and conditions with `{{ placeholders }}`, and the renewal defaults; kept in admin.
    The default template is used for every new contract."""

    name = models.CharField(max_length=100)
    body = models.TextField(help_text="Clauses; placeholders such as {{ account }} and "
                                      "{{ start_on }} are filled from the deal.")
    is_default = models.BooleanField(default=False)
    auto_renew = models.BooleanField(default=True)
    renewal_term_months = models.PositiveSmallIntegerField(default=12,
                                                           validators=[MinValueValidator(1)])
    uplift_percent = models.DecimalField(**PERCENT)
    renewal_notice_days = models.PositiveSmallIntegerField(default=60)
    acceptance_signs = models.BooleanField(
        default=False, help_text="Accepting the quote signs the contract made from it: the "
                                 "customer signs once, and the contract waits for "
                                 "countersignature.")
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="contracttemplate_one_default"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = unknown_placeholders(self.body)
        if unknown:
            raise ValidationError({"body": f"Unknown placeholders: {', '.join(unknown)}."})


class ContractState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OUT_FOR_SIGNATURE = "out_for_signature", "Out for signature"
    SIGNED = "signed", "Signed"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    RENEWED = "renewed", "Renewed"
    TERMINATED = "terminated", "Terminated"


def countersigned(contract) -> bool:
    return contract.countersigned_at is not None


def not_countersigned(contract) -> bool:
    return contract.countersigned_at is None


class Contract(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(max_length=20, unique=True, help_text="C-YYYY-NNNNN")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="contracts")
    quote = models.OneToOneField("quotes.Quote", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="contract",
                                 help_text="The accepted quote it came from: one each (none for "
                                           "imported and self-renewed contracts).")
    renews = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="renewed_by",
                                  help_text="The contract this one renews.")
    external_reference = models.CharField(max_length=64, blank=True,
                                          help_text="Its reference in the previous system "
                                                    "(imported contracts).")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="contracts")
    currency = models.CharField(max_length=3)
    start_on = models.DateField()
    end_on = models.DateField(help_text="Last day of the term (inclusive).")
    term_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    auto_renew = models.BooleanField(default=True)
    renewal_term_months = models.PositiveSmallIntegerField(default=12,
                                                           validators=[MinValueValidator(1)])
    uplift_percent = models.DecimalField(**PERCENT)
    renewal_notice_days = models.PositiveSmallIntegerField(default=60)
    payment_terms = models.ForeignKey("customers.PaymentTerms", on_delete=models.PROTECT,
                                      related_name="+")
    template = models.ForeignKey(ContractTemplate, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="contracts")
    terms = models.TextField(help_text="The template's clauses filled from the deal.")
    total_contract_value = models.DecimalField(**AMOUNT)
    recurring_monthly = models.DecimalField(**AMOUNT)
    state = FSMField(default=ContractState.DRAFT, choices=ContractState.choices,
                     protected=True)

    sent_at = models.DateTimeField(null=True, blank=True)
    sent_pdf = models.BinaryField(null=True, blank=True, editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True,
                                       help_text="SHA-256 of the PDF sent for signature.")
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=200, blank=True)
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    signer_user_agent = models.CharField(max_length=500, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_document_sha256 = models.CharField(max_length=64, blank=True)
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    countersigned_at = models.DateTimeField(null=True, blank=True)
    activated_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "state"]),
                   models.Index(fields=["state", "end_on"]),
                   # the contract list's keyset pages (core.pagination)
                   models.Index(fields=["-created_at", "-id"], name="contract_list_order")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_on__gte=models.F("start_on")),
                                   name="contract_ends_after_start"),
            models.CheckConstraint(condition=models.Q(term_months__gte=1),
                                   name="contract_term_positive"),
            models.CheckConstraint(condition=models.Q(uplift_percent__gte=0,
                                                      uplift_percent__lte=100),
                                   name="contract_uplift_percent_range"),
            models.UniqueConstraint(fields=["external_reference"],
                                    condition=~models.Q(external_reference=""),
                                    name="contract_unique_external_reference"),
        ]
        permissions = [
            ("view_team_contracts", "Can view the contracts of the team one manages"),
            ("view_all_contracts", "Can view every contract"),
            ("send_contract", "Can send a contract for signature"),
            ("countersign_contract", "Can countersign a contract the customer signed"),
            ("activate_contract", "Can activate a countersigned contract"),
            ("expire_contract", "Can expire contracts at their end date"),
            ("renew_contract", "Can mark a contract renewed"),
            ("terminate_contract", "Can terminate a contract"),
            ("amend_contract", "Can start an amendment of an active contract"),
            ("import_contracts", "Can import active contracts from the previous system"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_countersigned(self) -> bool:
        return self.countersigned_at is not None

    @property
    def is_amendable(self) -> bool:
        """An amendment changes an active contract's lines, not its state."""
        return self.state == ContractState.ACTIVE

    @transition(field=state, source=ContractState.DRAFT, target=ContractState.OUT_FOR_SIGNATURE,
                permission="contracts.send_contract")
    def send_for_signature(self, *, pdf: bytes, sha256: str, at=None):
        self.sent_pdf, self.document_sha256, self.sent_at = pdf, sha256, at

    @transition(field=state, source=ContractState.OUT_FOR_SIGNATURE,
                target=ContractState.SIGNED)
    def sign(self, *, name: str, title: str, ip: str | None, user_agent: str, at=None):
        """Only through the customer's signed link: the valid token is the permission."""
        self.signer_name, self.signer_title, self.signer_ip = name, title, ip
        self.signer_user_agent, self.signed_at = user_agent[:500], at
        self.signed_document_sha256 = self.document_sha256

    @transition(field=state, source=ContractState.SIGNED, target=ContractState.SIGNED,
                conditions=[not_countersigned], permission="contracts.countersign_contract")
    def countersign(self, *, user, at=None):
        self.countersigned_by, self.countersigned_at = user, at

    @transition(field=state, source=ContractState.SIGNED, target=ContractState.ACTIVE,
                conditions=[countersigned], permission="contracts.activate_contract")
    def activate(self, *, day):
        self.activated_on = day

    @transition(field=state, source=ContractState.ACTIVE, target=ContractState.EXPIRED,
                permission="contracts.expire_contract")
    def expire(self, *, day):
        self.ended_on = day

    @transition(field=state, source=ContractState.ACTIVE, target=ContractState.RENEWED,
                permission="contracts.renew_contract")
    def renew(self, *, day):
        self.ended_on = day

    @transition(field=state, source=ContractState.ACTIVE, target=ContractState.TERMINATED,
                permission="contracts.terminate_contract")
    def terminate(self, *, day):
        self.ended_on = day


class LineStatus(models.TextChoices):
    """Pending until its start date under an active contract; active; ended once its end date
    is final (an amendment, termination, expiry or renewal set it: `end_on` is the last day
    served, which may still be ahead)."""

    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class ContractLine(FSMModelMixin, models.Model):
    """One subscription or one-time item. `price_snapshot` is the quote line's frozen price model,
    copied, so billing and renewals never read the live price book. The policies that change its
    money (billing alignment, bill day, day-count convention) are copied onto it when it is made
    and read from here. An active line is never changed in place: an amendment ends it and
    starts a new line from its effective date; its charges are its `schedule` rows."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    quote_line = models.ForeignKey("quotes.QuoteLine", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(max_digits=19, decimal_places=4,
                                   validators=[MinValueValidator(0)])
    billing_period = models.CharField(max_length=16)
    billing_alignment = models.CharField(max_length=16, choices=[(a.value, a.label)
                                                                 for a in Alignment],
                                         default=Alignment.BILL_DAY)
    bill_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="The account's bill day when the line was made (1-31).")
    proration_convention = models.CharField(
        max_length=16, choices=[(d.value, d.value) for d in DayCount], default=DayCount.ACTUAL,
        help_text="How part periods are counted: actual days, or 30/360.")
    proration_granularity = models.CharField(
        max_length=8, choices=[(g.value, g.label) for g in Granularity], default=Granularity.DAY,
        db_default=Granularity.DAY.value,
        help_text="By day, or by second for a line that starts or ends within a day (its "
                  "price's, copied when the line was made).")
    starts_at = models.DateTimeField(null=True, blank=True,
                                     help_text="The moment service starts, within its first "
                                               "day (empty: at the day's start).")
    ends_at = models.DateTimeField(null=True, blank=True,
                                   help_text="The moment service stops, within its last day "
                                             "(empty: at the day's end).")
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC",
                                 help_text="The account's time zone when the line was made: "
                                           "which day a moment belongs to.")
    price_snapshot = models.JSONField()
    discount_percent = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    included = models.BooleanField(default=False)
    list_unit_price = models.DecimalField(max_digits=19, decimal_places=6, default=Decimal("0"))
    amount_per_period = models.DecimalField(**AMOUNT)
    list_amount = models.DecimalField(**AMOUNT)
    discount_amount = models.DecimalField(**AMOUNT)
    net_amount = models.DecimalField(**AMOUNT, help_text="Net over the line's term as signed: "
                                                         "the sum of its first schedule.")
    start_on = models.DateField()
    end_on = models.DateField(help_text="Last day (inclusive).")
    status = FSMField(max_length=16, choices=LineStatus.choices, default=LineStatus.PENDING,
                      protected=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="replaced_by",
                                 help_text="The line an amendment or renewal ended for this one.")
    amendment = models.ForeignKey("Amendment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="new_lines",
                                  help_text="The amendment that started this line.")

    class Meta:
        ordering = ["contract", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"],
                                    name="contractline_unique_position"),
            models.CheckConstraint(condition=models.Q(end_on__gte=models.F("start_on")),
                                   name="contractline_ends_after_start"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0),
                                   name="contractline_quantity_not_negative"),
            models.CheckConstraint(condition=models.Q(bill_day__gte=1, bill_day__lte=31),
                                   name="contractline_bill_day_range"),
        ]
        permissions = [("end_contractline", "Can end contract lines (amendment, termination, "
                                            "end of term)")]

    def __str__(self):
        return f"{self.contract} #{self.position} {self.product_id} × {self.quantity}"

    def save(self, *args, **kwargs):
        if getattr(self, "_loaded_status", None) in (LineStatus.ACTIVE, LineStatus.ENDED):
            raise ValidationError("An active contract line never changes in place; amend the "
                                  "contract instead.")
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        line = super().from_db(db, field_names, values)
        line._loaded_status = line.__dict__.get("status")
        return line

    @transition(field=status, source=LineStatus.PENDING, target=LineStatus.ACTIVE,
                permission="contracts.activate_contract")
    def activate(self):
        """Its start date has come under an active contract (run in bulk)."""

    @transition(field=status, source=[LineStatus.PENDING, LineStatus.ACTIVE],
                target=LineStatus.ENDED, permission="contracts.end_contractline")
    def end(self, *, last_day=None, at=None):
        """An amendment, termination, expiry or renewal ends it (run in bulk); `last_day` moves
        its end earlier, never later: it then serves its last day whole, or up to `at` (a
        moment within it, for a line priced by the second)."""
        if last_day is not None and last_day < self.end_on:
            self.end_on, self.ends_at = last_day, at
        elif last_day == self.end_on and at is not None and (self.ends_at is None
                                                              or at < self.ends_at):
            self.ends_at = at

    @property
    def is_recurring(self) -> bool:
        return self.billing_period != BillingPeriod.ONE_TIME

    @property
    def billing_period_label(self) -> str:
        return BillingPeriod(self.billing_period).label


class ScheduleChangeKind(models.TextChoices):
    START = "start", "Contract made"
    IMPORT = "import", "Imported"
    RENEWAL = "renewal", "Renewed"
    AMENDMENT = "amendment", "Amendment"
    TERMINATION = "termination", "Termination"


class ScheduleChange(models.Model):
    """One change of a contract's charge schedule: the rows it added and the rows it ended."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE,
                                 related_name="schedule_changes")
    kind = models.CharField(max_length=16, choices=ScheduleChangeKind.choices)
    effective_on = models.DateField()
    amendment = models.OneToOneField("Amendment", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="schedule_change")
    termination = models.OneToOneField("Termination", null=True, blank=True,
                                       on_delete=models.PROTECT,
                                       related_name="schedule_change")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.contract_id} from {self.effective_on}"


class ScheduledCharge(models.Model):
    """One row of a line's charge schedule (`catalog.charge_schedule`): a billing period with
    its amount and how it was computed. Never edited: a change ends rows (`ended_by`) and adds
    rows; the invoice run bills the rows that are due (`billing.BillingRecord` points here), and
    the documents and revenue recognition read the same rows."""

    line = models.ForeignKey(ContractLine, on_delete=models.CASCADE, related_name="schedule")
    change = models.ForeignKey(ScheduleChange, on_delete=models.CASCADE, related_name="rows")
    ended_by = models.ForeignKey(ScheduleChange, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="ended_rows")
    about = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+",
                              help_text="The row a credit or a shortened row stands for.")
    kind = models.CharField(max_length=16, choices=[(k.value, k.value.replace("_", " "))
                                                    for k in ChargeKind])
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day (inclusive).")
    due_on = models.DateField()
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    days = models.PositiveIntegerField(null=True, blank=True)
    period_days = models.PositiveIntegerField(null=True, blank=True)
    explanation = models.CharField(max_length=255, blank=True)
    seconds = models.PositiveIntegerField(null=True, blank=True,
                                          help_text="Seconds charged, when prorated by second.")
    period_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["line", "period_start", "pk"]
        indexes = [models.Index(fields=["due_on"], name="scheduledcharge_due",
                                condition=models.Q(ended_by__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="scheduledcharge_period_ends_after_start"),
            models.CheckConstraint(
                condition=models.Q(kind=ChargeKind.CREDIT, amount__lte=0)
                | (~models.Q(kind=ChargeKind.CREDIT) & models.Q(amount__gte=0)),
                name="scheduledcharge_sign_by_kind"),
        ]

    def __str__(self):
        return f"{self.line_id} {self.kind} {self.period_start}..{self.period_end} {self.amount}"

    @property
    def is_prorated(self) -> bool:
        return self.days is not None or self.seconds is not None


class ContractCoupon(models.Model):
    """A coupon running on a contract: on the lines it covers (`lines`), its duration counted
    in each line's billing periods from `counts_from` (`quotes.coupon_amounts.periods_before`).
    It is a quote's redemption (`redemption`, the accepted quote's coupon row): an amendment
    that replaces a covered line adds the new line here, and a renewal carries it to the
    renewing contract as a new row of the same redemption; neither redeems it again."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="coupons")
    coupon = models.ForeignKey("catalog.Coupon", on_delete=models.PROTECT, related_name="+")
    redemption = models.ForeignKey("quotes.QuoteCoupon", on_delete=models.PROTECT,
                                   related_name="+")
    position = models.PositiveSmallIntegerField()
    counts_from = models.DateField(help_text="The first day of its first billing period.")
    duration = models.CharField(max_length=16)
    periods = models.PositiveIntegerField(null=True, blank=True)
    lines = models.ManyToManyField(ContractLine, related_name="coupons", blank=True)
    amendment = models.ForeignKey("Amendment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="coupons",
                                  help_text="The amendment whose quote redeemed it.")

    class Meta:
        ordering = ["contract", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "redemption"],
                                               name="contractcoupon_once_a_contract")]

    def __str__(self):
        return f"{self.contract} {self.coupon_id} from {self.counts_from}"

    def terms(self):
        """The coupon as `catalog.coupons` reads it, with the duration it runs on this contract
        (its products prefetched)."""
        return replace(self.coupon.terms(), duration=self.duration, periods=self.periods)


class EffectiveMoment:
    """A change with an `effective_on` date and an optional `effective_time`: the moment lines
    priced by the second change, read in each line's own time zone."""

    def moment_in(self, time_zone: str) -> datetime | None:
        """The moment the change takes effect, read in `time_zone` (None: no time given)."""
        if self.effective_time is None:
            return None
        return datetime.combine(self.effective_on, self.effective_time,
                                tzinfo=ZoneInfo(time_zone))

    @property
    def effective_from(self) -> str:
        """'2027-03-16', or '2027-03-16 at 12:00' when it has a time."""
        at = self.effective_time
        return f"{self.effective_on:%Y-%m-%d}" + (f" at {at:%H:%M}" if at else "")


class Amendment(EffectiveMoment, models.Model):
    """A mid-term change: a quote of kind amendment (the contract from the effective date on,
    co-terminated with it) against an active contract. When its quote is accepted the changed
    lines end the day before `effective_on` and new ones start on it; `proration` keeps what
    the rest of the term costs, each amount with its explanation. With an `effective_time`,
    lines priced by the second change at that moment of the effective date instead, read in
    each line's time zone (`moment_in`): the old line stops and the new one starts then."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    quote = models.OneToOneField("quotes.Quote", on_delete=models.PROTECT,
                                 related_name="amendment")
    effective_on = models.DateField()
    effective_time = models.TimeField(
        null=True, blank=True,
        help_text="The time of day the change takes effect for lines priced by the second, in "
                  "the line's time zone (empty: at the start of the effective date).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = TimestampField(auto_now_add=True)
    applied_on = models.DateField(null=True, blank=True)
    prorated_total = models.DecimalField(**AMOUNT, help_text="Net charge (credit if negative) "
                                                             "for the rest of the term.")
    proration = models.JSONField(default=list, blank=True,
                                 help_text="Per changed line: amount and explanation.")

    class Meta:
        ordering = ["contract", "-created_at", "-pk"]

    def __str__(self):
        return f"Amendment of {self.contract} from {self.effective_on:%Y-%m-%d}"

    @property
    def is_applied(self) -> bool:
        return self.applied_on is not None



class Termination(EffectiveMoment, models.Model):
    """The end of a contract before its term: lines end the day before `effective_on`; its
    schedule change (`schedule_change.rows`) holds the credits billing issues, and
    `credit_amount` is their sum. With an `effective_time`, lines priced by the second stop at
    that moment of the effective date instead, read in each line's time zone (`moment_in`)."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT,
                                    related_name="termination")
    effective_on = models.DateField(help_text="First day without service.")
    effective_time = models.TimeField(
        null=True, blank=True,
        help_text="The time of day lines priced by the second stop, in the line's time zone "
                  "(empty: at the start of the effective date).")
    reason = models.TextField()
    currency = models.CharField(max_length=3)
    credit_amount = models.DecimalField(**AMOUNT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(credit_amount__gte=0),
                                              name="termination_credit_not_negative")]

    def __str__(self):
        return f"Termination of {self.contract} from {self.effective_on:%Y-%m-%d}"


class Renewal(models.Model):
    """The renewal quote made for a contract nearing its end (one per contract)."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="renewal")
    quote = models.OneToOneField("quotes.Quote", on_delete=models.PROTECT,
                                 related_name="renewal")
    created_on = models.DateField()

    class Meta:
        ordering = ["-created_on", "-pk"]

    def __str__(self):
        return f"Renewal of {self.contract}"


class RenewalReminder(models.Model):
    """One reminder emailed to the owner, `days_before` the end; sent once each."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE,
                                 related_name="renewal_reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        ordering = ["contract", "-days_before"]
        constraints = [models.UniqueConstraint(fields=["contract", "days_before"],
                                               name="renewalreminder_once")]

    def __str__(self):
        return f"{self.contract}: {self.days_before} days before the end"
