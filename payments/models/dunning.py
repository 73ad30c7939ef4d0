"""Dunning: policies of steps kept in admin, email texts, accounts paused or on another policy,
the daily runs, and one event per step taken per invoice (the unique constraint is what makes a
step run once, however often the task runs)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from core import clock
from core.fields import TimestampField
from core.runs import Heartbeat
from customers.models import Account
from payments.dunning_rules import Action
from payments.late_payment import DayCount
from payments.models.fields import AMOUNT_ZERO

STEP_ACTIONS = [(a.value, a.value.replace("_", " ").capitalize()) for a in Action
                if a is not Action.NONE]


class InterestBasis(models.TextChoices):
    NONE = "none", "No interest"
    STATUTORY = "statutory", "Reference rate + margin"
    CONTRACTUAL = "contractual", "Contractual rate"


DAY_COUNTS = [(d.value, d.value) for d in DayCount]
DOCUMENT_LANGUAGES = Account._meta.get_field("document_language").choices


class DunningTemplate(models.Model):
    """An email text; subject and body hold plain `{{ placeholder }}`s (payments.dunning_texts),
    never template code."""

    key = models.SlugField(max_length=40)
    language = models.CharField(
        max_length=8, blank=True, choices=DOCUMENT_LANGUAGES,
        help_text="Empty for the text steps point to; a text with the same key in an "
                  "account's document language is sent to that account instead.")
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"],
                                               name="dunningtemplate_one_text_per_language")]

    def __str__(self):
        return f"{self.key} ({self.language})" if self.language else self.key


class DunningPolicy(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False, help_text="Used for accounts with no policy.")
    grace_days = models.PositiveIntegerField(default=0)
    minimum_overdue = models.DecimalField(
        **AMOUNT_ZERO, validators=[MinValueValidator(0)],
        help_text="Overdue amounts at or below this (in the invoice's currency) are not chased.")
    minimum_days_between = models.PositiveIntegerField(
        default=0, help_text="Days to wait after any step taken for the account (in the same "
                             "currency) before the next one.")
    maximum_attempts = models.PositiveIntegerField(
        null=True, blank=True, help_text="Steps taken per invoice at most; empty: no limit.")
    interest = models.CharField(max_length=12, choices=InterestBasis.choices,
                                default=InterestBasis.NONE)
    interest_margin = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal("8"),
        help_text="Percentage points a year: over the reference rate (statutory; 8 under the "
                  "EU Late Payment Directive, 9 under BGB §288(2)), or the whole contractual "
                  "rate.")
    interest_day_count = models.CharField(max_length=8, choices=DAY_COUNTS,
                                          default=DayCount.ACT_365)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "dunning policies"
        constraints = [
            models.CheckConstraint(condition=models.Q(minimum_overdue__gte=0),
                                   name="dunningpolicy_minimum_not_negative"),
            models.CheckConstraint(condition=models.Q(interest_margin__gte=0),
                                   name="dunningpolicy_margin_not_negative"),
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="dunningpolicy_one_default"),
        ]

    def __str__(self):
        return self.name


class DunningPolicyStep(models.Model):
    policy = models.ForeignKey(DunningPolicy, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(max_length=40)
    days = models.IntegerField(help_text="Days from the due date; negative before it.")
    action = models.CharField(max_length=20, choices=STEP_ACTIONS)
    template = models.ForeignKey(DunningTemplate, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"language": ""},
                                 help_text="The email of reminder, escalation and final notice.")
    fee_fixed = models.DecimalField(
        **AMOUNT_ZERO, validators=[MinValueValidator(0)],
        help_text="Late fee charged at this step, in the invoice's currency (e.g. 40 EUR, "
                  "Directive 2011/7/EU art. 6).")
    fee_percent = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal("0"), validators=[MinValueValidator(0)],
        help_text="Late fee as a percentage of what is overdue, added to the fixed fee.")
    charge_interest = models.BooleanField(
        default=False, help_text="Charge the policy's interest up to this step's date.")
    # The suspension's policy (payments.dunning_rules.suspension_of): a suspend step may also
    # pause the account's billing, and may credit the blocked days when billing resumes.
    pauses_billing = models.BooleanField(
        default=False, help_text="A suspend step: also pause the account's billing (invoice "
                                 "runs hold its charges until the overdue balance is paid or "
                                 "finance resumes it).")
    credits_blocked_days = models.BooleanField(
        default=False, help_text="With a billing pause: credit the recurring charges of the "
                                 "days billing was paused when it resumes.")

    class Meta:
        ordering = ["policy", "days"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pauses_billing=False) | models.Q(action=Action.SUSPEND),
                name="dunningstep_pause_only_when_suspending"),
            models.CheckConstraint(
                condition=models.Q(credits_blocked_days=False) | models.Q(pauses_billing=True),
                name="dunningstep_credit_only_when_pausing"),
            models.CheckConstraint(condition=models.Q(fee_fixed__gte=0, fee_percent__gte=0),
                                   name="dunningstep_fee_not_negative"),
            models.UniqueConstraint(fields=["policy", "key"], name="dunningstep_unique_key"),
            models.UniqueConstraint(fields=["policy", "days"], name="dunningstep_unique_days"),
        ]

    def __str__(self):
        return f"{self.key} ({self.days:+d} days: {self.get_action_display().lower()})"

    def clean(self):
        """The suspension policy's rules (payments.dunning_rules.step_errors), at their fields."""
        from payments.dunning_rules import DunningStep, step_errors

        errors = step_errors(DunningStep(self.key, self.days, Action(self.action or "none"),
                                         self.pauses_billing, self.credits_blocked_days))
        if errors:
            raise ValidationError(errors)


class DunningThreshold(models.Model):
    """Steps after the due date wait until the account's whole overdue balance in the currency
    is above this (instead of each invoice's own amount above the policy's minimum)."""

    policy = models.ForeignKey(DunningPolicy, on_delete=models.CASCADE,
                               related_name="thresholds")
    currency = models.CharField(max_length=3)
    minimum = models.DecimalField(**AMOUNT_ZERO, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["policy", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "currency"],
                                    name="dunningthreshold_unique_currency"),
            models.CheckConstraint(condition=models.Q(minimum__gte=0),
                                   name="dunningthreshold_not_negative"),
        ]

    def __str__(self):
        return f"{self.policy}: over {self.minimum} {self.currency}"


class AccountDunning(models.Model):
    """An account's dunning settings: another policy than the default, or paused."""

    account = models.OneToOneField("customers.Account", on_delete=models.CASCADE,
                                   related_name="dunning")
    policy = models.ForeignKey(DunningPolicy, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    paused = models.BooleanField(default=False)
    pause_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["account"]
        verbose_name = "account dunning setting"

    def __str__(self):
        return f"Dunning of {self.account}"


class DunningRunState(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class DunningRun(Heartbeat, FSMModelMixin, models.Model):
    LIVE_STATES = (DunningRunState.RUNNING,)

    run_on = models.DateField(unique=True, help_text="One run per business day.")
    state = FSMField(default=DunningRunState.RUNNING, choices=DunningRunState.choices,
                     protected=True)
    invoices_seen = models.PositiveIntegerField(default=0)
    steps_taken = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    started_at = TimestampField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run_on"]
        permissions = [("run_dunning", "Can run dunning and pause accounts from it")]

    def __str__(self):
        return f"Dunning run {self.run_on:%Y-%m-%d}"

    @transition(field=state, source=DunningRunState.RUNNING, target=DunningRunState.COMPLETED,
                permission="payments.run_dunning")
    def complete(self, *, at):
        self.finished_at = at

    @transition(field=state, source=DunningRunState.RUNNING, target=DunningRunState.FAILED,
                permission="payments.run_dunning")
    def fail(self, *, at, reason: str):
        self.finished_at, self.failure = at, reason

    @transition(field=state, source=[DunningRunState.RUNNING, DunningRunState.FAILED],
                target=DunningRunState.RUNNING, permission="payments.run_dunning")
    def resume(self):
        """Run the chunks not done again (steps already taken are not taken twice)."""
        self.finished_at, self.failure, self.heartbeat_at = None, "", clock.now()


class DunningRunChunk(models.Model):
    """A pk range of candidate invoices that any worker can take; done once."""

    run = models.ForeignKey(DunningRun, on_delete=models.CASCADE, related_name="chunks")
    first_invoice_id = models.PositiveBigIntegerField()
    last_invoice_id = models.PositiveBigIntegerField()
    steps_taken = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "first_invoice_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_invoice_id"],
                                    name="dunningrunchunk_unique_start"),
        ]

    def __str__(self):
        return f"{self.run}: invoices {self.first_invoice_id}–{self.last_invoice_id}"


class DunningEvent(models.Model):
    """One step taken for one invoice (with the steps it passed over), and how it went."""

    # Indexes cost each step taken (a daily run writes one row per open invoice): the invoice
    # is found through the unique constraint's first column; the step key, the policy, the run
    # and the user that ran the step are never searched on alone (a policy or a run is never
    # deleted while it has steps, so no index serves those checks either).
    # Their references are checked once per statement on PostgreSQL, not once per row at each
    # chunk's commit (core.references, migration 0023).
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT,
                                related_name="dunning_events", db_index=False,
                                db_constraint=False)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+",
                                db_constraint=False)
    policy = models.ForeignKey(DunningPolicy, on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    run = models.ForeignKey(DunningRun, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="events", db_index=False, db_constraint=False)
    step_key = models.SlugField(max_length=40, db_index=False)
    action = models.CharField(max_length=20, choices=STEP_ACTIONS)
    taken_on = models.DateField()
    days_past_due = models.IntegerField()
    reason = models.CharField(max_length=255)
    skipped = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    # Its email (reminder, escalation, final notice), and any sent again: queued, sent, failed.
    deliveries = GenericRelation("notifications.Delivery")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False,
                                   db_constraint=False)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-pk"]
        indexes = [models.Index(fields=["taken_on"])]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "policy", "step_key"],
                                    name="dunningevent_step_once_per_invoice"),
        ]

    def __str__(self):
        return f"{self.invoice}: {self.step_key} on {self.taken_on}"
