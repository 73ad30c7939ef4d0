"""Which dunning step is due for one invoice today: pure, like Kill Bill's overdue conditions.

    dunning_step(snapshot: DunningSnapshot, policy: DunningPolicy, today) -> DunningAction

A selector builds the snapshot per open invoice, a service performs the action and stores the
step's key as the invoice's last step. No ORM, no clock: `today` is the business date.

The rules:
- A policy is an ordered list of steps, each at an offset in days from the due date (negative
  before it: a reminder 3 days before due is -3) with an action. Offsets rise strictly.
- Days past due = today − the oldest unpaid due date (the due date itself is day 0).
- A step is due when days past due ≥ its offset. Steps after the due date (offset > 0) also need
  money overdue above the policy's minimum, and days past due beyond the grace period: with
  `grace_days=5` nothing after the due date fires before day 6.
- Only steps after the last step taken can fire, and only the latest due one: the same step never
  fires twice, and after a pause (or a run that did not happen) the earlier steps it passed are
  reported as skipped rather than sent all at once. Running again with the same snapshot and
  date gives the same answer; once the service records the step, it gives nothing new.
- A paused account, an invoice with nothing open, or one with no step due gets NONE, with the
  reason in words for the dunning history.
- Account-wide limits (as SAP Business One's dunning terms and Odoo's follow-up levels): a
  threshold per currency on the account's whole overdue balance replaces the per-invoice
  minimum; no step within `minimum_days_between` days of the account's last step in that
  currency; at most `maximum_attempts` steps per invoice.

>>> from datetime import date
>>> from decimal import Decimal as D
>>> policy = DunningPolicy(steps=(
...     DunningStep("before", -3, Action.REMIND), DunningStep("first", 1, Action.REMIND),
...     DunningStep("final", 15, Action.FINAL_NOTICE), DunningStep("hold", 30, Action.SUSPEND),
...     DunningStep("write-off", 90, Action.WRITE_OFF)), grace_days=2)
>>> snap = DunningSnapshot(oldest_due_on=date(2026, 3, 1), amount_overdue=D("120.00"))
>>> dunning_step(snap, policy, date(2026, 2, 26)).step.key
'before'
>>> reminded = DunningSnapshot(date(2026, 3, 1), D("120.00"), last_step="before")
>>> dunning_step(reminded, policy, date(2026, 3, 2)).reason
'1 day past due, within the 2-day grace period'
>>> a = dunning_step(snap, policy, date(2026, 3, 20))
>>> a.action, a.step.key, a.skipped
(<Action.FINAL_NOTICE: 'final_notice'>, 'final', ('before', 'first'))
>>> recorded = DunningSnapshot(date(2026, 3, 1), D("120.00"), last_step="final")
>>> dunning_step(recorded, policy, date(2026, 3, 20)).action
<Action.NONE: 'none'>
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class Action(StrEnum):
    NONE = "none"
    REMIND = "remind"  # email the customer the invoice and how to pay
    RETRY_CHARGE = "retry_charge"  # charge the saved payment method again (autopay)
    ESCALATE = "escalate"  # tell the account owner and finance
    FINAL_NOTICE = "final_notice"  # the last warning before suspension
    SUSPEND = "suspend"  # set the account's overdue flag (orders go on credit hold)
    WRITE_OFF = "write_off"  # mark the invoice uncollectible and write off what is still due


@dataclass(frozen=True, slots=True)
class DunningStep:
    key: str  # stable, stored as the invoice's last step
    days: int  # offset from the due date; negative before it
    action: Action
    # The suspension's policy: a SUSPEND step may also pause the account's billing, and may
    # credit the days of blocked service when billing resumes (suspension_of).
    pauses_billing: bool = False
    credits_blocked_days: bool = False


@dataclass(frozen=True, slots=True)
class DunningPolicy:
    steps: tuple[DunningStep, ...]
    grace_days: int = 0  # steps after the due date wait until the invoice is this late
    minimum_overdue: Decimal = ZERO  # overdue amounts at or below this are not chased
    # (currency, minimum): the account's whole overdue balance in the currency decides instead
    thresholds: tuple[tuple[str, Decimal], ...] = ()
    minimum_days_between: int = 0  # after any step for the account in the currency
    maximum_attempts: int | None = None  # steps per invoice at most
    # What dunning_step answered in each situation met so far: the answer depends on day
    # counts, the steps taken and whether the overdue money is above the minimum, never on
    # the amounts themselves, so a run's thousands of invoices meet a few hundred situations.
    decisions: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def threshold(self, currency: str) -> Decimal | None:
        return dict(self.thresholds).get(currency)

    def __post_init__(self):
        object.__setattr__(self, "steps", tuple(self.steps))
        errors = policy_errors(self)
        if errors:
            raise ValueError("; ".join(errors))

    def index(self, key: str | None) -> int:
        """Position of a step by key; -1 for none taken."""
        if key is None:
            return -1
        for i, step in enumerate(self.steps):
            if step.key == key:
                return i
        raise ValueError(f"the last step taken ({key}) is not in this policy")


@dataclass(frozen=True, slots=True)
class DunningSnapshot:
    oldest_due_on: date | None  # the earliest due date with money unpaid; None: nothing open
    amount_overdue: Decimal  # unpaid on due dates up to today (0 before the due date)
    last_step: str | None = None  # key of the last step taken for this invoice
    paused: bool = False  # the account is paused from dunning
    currency: str = ""
    account_overdue: Decimal = ZERO  # the account's whole overdue balance in the currency
    last_taken_on: date | None = None  # the latest step for the account in the currency
    attempts: int = 0  # steps already taken for this invoice


@dataclass(frozen=True, slots=True)
class DunningAction:
    action: Action
    step: DunningStep | None
    days_past_due: int | None
    reason: str
    skipped: tuple[str, ...] = ()  # keys of earlier due steps passed over, not fired


def policy_errors(policy: DunningPolicy) -> list[str]:
    """What is wrong with a policy, in words an admin can fix (empty when valid)."""
    errors = []
    keys = [step.key for step in policy.steps]
    if len(set(keys)) != len(keys):
        errors.append("Step keys must be unique.")
    days = [step.days for step in policy.steps]
    if any(b <= a for a, b in zip(days, days[1:], strict=False)):
        errors.append("Steps must be in order of days, each later than the one before.")
    if any(step.action is Action.NONE for step in policy.steps):
        errors.append("Every step needs an action.")
    for step in policy.steps:
        errors += [f"Step {step.key}: {e}" for e in step_errors(step).values()]
    if policy.grace_days < 0:
        errors.append("The grace period cannot be negative.")
    if policy.minimum_overdue < 0:
        errors.append("The minimum overdue amount cannot be negative.")
    if any(minimum < 0 for _, minimum in policy.thresholds):
        errors.append("An account threshold cannot be negative.")
    if policy.minimum_days_between < 0:
        errors.append("The days between steps cannot be negative.")
    if policy.maximum_attempts is not None and policy.maximum_attempts < 1:
        errors.append("The maximum number of attempts must be at least 1.")
    return errors


def step_errors(step: DunningStep) -> dict[str, str]:
    """What is wrong with one step's suspension policy, by field (empty when valid).

    >>> step_errors(DunningStep("hold", 30, Action.REMIND, pauses_billing=True))
    {'pauses_billing': 'Only a suspend step can pause billing.'}
    >>> step_errors(DunningStep("hold", 30, Action.SUSPEND, credits_blocked_days=True))
    {'credits_blocked_days': 'Blocked days are credited only when the step pauses billing.'}
    """
    errors = {}
    if step.pauses_billing and step.action is not Action.SUSPEND:
        errors["pauses_billing"] = "Only a suspend step can pause billing."
    if step.credits_blocked_days and not step.pauses_billing:
        errors["credits_blocked_days"] = ("Blocked days are credited only when the step pauses "
                                          "billing.")
    return errors


@dataclass(frozen=True, slots=True)
class Suspension:
    """What taking a step does to the account's billing."""

    pauses_billing: bool = False
    credits_blocked_days: bool = False


NO_SUSPENSION = Suspension()


def suspension_of(action: DunningAction) -> Suspension:
    """The billing pause a step taken asks for: only a SUSPEND step whose policy pauses billing
    pauses it (and credits the blocked days only when its policy also says so).

    >>> hold = DunningStep("hold", 30, Action.SUSPEND, pauses_billing=True,
    ...                    credits_blocked_days=True)
    >>> suspension_of(DunningAction(Action.SUSPEND, hold, 31, "31 days past due: step hold"))
    Suspension(pauses_billing=True, credits_blocked_days=True)
    >>> flag_only = DunningStep("flag", 30, Action.SUSPEND)
    >>> suspension_of(DunningAction(Action.SUSPEND, flag_only, 31, "")).pauses_billing
    False
    """
    step = action.step
    if action.action is not Action.SUSPEND or step is None or not step.pauses_billing:
        return NO_SUSPENSION
    return Suspension(True, step.credits_blocked_days)


def resumes_billing(overdue_by_currency: dict[str, Decimal]) -> bool:
    """A pause by dunning ends when nothing is overdue in any currency any more (Chargebee and
    Zuora resume a subscription paused for non-payment once the dues are paid).

    >>> resumes_billing({"EUR": Decimal("0"), "USD": Decimal("0.00")}), resumes_billing({})
    (True, True)
    >>> resumes_billing({"EUR": Decimal("0"), "USD": Decimal("0.01")})
    False
    """
    return all(amount <= 0 for amount in overdue_by_currency.values())


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def _nothing(reason: str, days_past_due: int | None = None) -> DunningAction:
    return DunningAction(Action.NONE, None, days_past_due, reason)


def _lateness(days_past_due: int) -> str:
    if days_past_due < 0:
        return f"due in {_days(-days_past_due)}"
    return "due today" if days_past_due == 0 else f"{_days(days_past_due)} past due"


def _above_minimum(snapshot: DunningSnapshot, policy: DunningPolicy) -> bool:
    """With a threshold for the currency, the account's whole overdue balance must be above it
    (and the invoice overdue at all); without, the invoice's own overdue above the minimum."""
    threshold = policy.threshold(snapshot.currency)
    if threshold is None:
        return snapshot.amount_overdue > policy.minimum_overdue
    return snapshot.amount_overdue > 0 and snapshot.account_overdue > threshold


def _held_back(policy: DunningPolicy, last_step: str | None, attempts: int, since: int | None,
               late: str) -> str:
    """Why the policy's limits hold the invoice back today ("" when they do not): every step
    taken, the attempts used up, or the account's last step too recent (`since` days ago)."""
    if policy.index(last_step) + 1 == len(policy.steps):
        return f"{late}, every step has been taken"
    if policy.maximum_attempts is not None and attempts >= policy.maximum_attempts:
        return f"{late}, the policy's {policy.maximum_attempts} attempts are taken"
    if since is not None and since < policy.minimum_days_between:
        return (f"{late}, the account's last step was {_days(since)} ago and the policy "
                f"waits {_days(policy.minimum_days_between)}")
    return ""


def _not_due(policy: DunningPolicy, currency: str, days_past_due: int, above: bool,
             late: str) -> str:
    """Why no step is due although the policy's limits allow one."""
    if 0 < days_past_due <= policy.grace_days:
        return f"{late}, within the {policy.grace_days}-day grace period"
    if days_past_due > 0 and not above:
        if policy.threshold(currency) is not None:
            return (f"{late}, but the account's overdue {currency} balance is not "
                    "above the threshold")
        return f"{late}, but nothing above the minimum is overdue"
    return f"{late}, no step is due yet"


def dunning_step(snapshot: DunningSnapshot, policy: DunningPolicy,
                 today: date) -> DunningAction:
    """The one step to take today for this invoice, or NONE with the reason; never a step twice."""
    if snapshot.paused:
        return _nothing("dunning is paused for this account")
    if snapshot.oldest_due_on is None:
        return _nothing("nothing is open")
    since = None if snapshot.last_taken_on is None else (today - snapshot.last_taken_on).days
    situation = ((today - snapshot.oldest_due_on).days, snapshot.last_step, snapshot.attempts,
                 since, _above_minimum(snapshot, policy), snapshot.currency)
    known = policy.decisions
    if situation not in known:
        known[situation] = _decide(policy, *situation)
    return known[situation]


def _decide(policy: DunningPolicy, days_past_due: int, last_step: str | None, attempts: int,
            since: int | None, above: bool, currency: str) -> DunningAction:
    """dunning_step for an open invoice of an account not paused, from what it depends on."""
    late = _lateness(days_past_due)
    if held := _held_back(policy, last_step, attempts, since, late):
        return _nothing(held, days_past_due)
    chased = above and days_past_due > policy.grace_days
    due = [step for step in policy.steps[policy.index(last_step) + 1:]
           if step.days <= days_past_due and (step.days <= 0 or chased)]
    if not due:
        return _nothing(_not_due(policy, currency, days_past_due, above, late), days_past_due)
    step = due[-1]
    skipped = tuple(s.key for s in due[:-1])
    return DunningAction(step.action, step, days_past_due, f"{late}: step {step.key}", skipped)
