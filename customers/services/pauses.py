"""Pausing and resuming an account's billing: by a dunning step whose policy says so (in bulk,
per dunning chunk) or by finance with a reason. The account's `billing_state` moves through
its transitions (permission `customers.pause_billing`, history on the account's timeline);
each window is a `BillingPause` row, which invoice runs read (billing.services.planning
leaves the rows of a paused account unbilled). Crediting the blocked days is payments' (it
calls billing), after these services have closed the window.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.actors import require
from core.dates import business_date
from core.transitions import run_bulk_transition, run_transition
from customers.models import Account, BillingPause, BillingState, PauseSource
from customers.selectors import account_for_update

PAUSE = "customers.pause_billing"


@dataclass(frozen=True)
class DunningPause:
    """A dunning step's pause of one account."""

    account_id: int
    step_key: str
    credit_blocked_days: bool
    reason: str


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Say why."})
    return reason[:255]


def _locked(account: Account, actor) -> Account:
    locked = account_for_update(pk=account.pk, user=actor.user) if actor.user else None
    if locked is None:
        raise PermissionDenied("You may not change this account.")
    return locked


@transaction.atomic
def pause_billing(*, account: Account, by, reason: str, on: date | None = None,
                  credit_blocked_days: bool = False) -> BillingPause:
    """Finance pauses the account's billing from `on` (invoice runs hold its charges)."""
    actor = require(by, PAUSE, "You are not allowed to pause billing.")
    reason, day = _reason(reason), business_date(on)
    locked = _locked(account, actor)
    if locked.billing_state == BillingState.PAUSED:
        raise ValidationError({"reason": f"The billing of {locked} is already paused."})
    if BillingPause.objects.filter(account=locked, resumed_on__gt=day).exists():
        raise ValidationError({"on": "A pause cannot start before the end of an earlier one."})
    run_transition(locked, "pause_billing", by=actor, on=day, note=reason)
    return BillingPause.objects.create(account=locked, paused_on=day, reason=reason,
                                       source=PauseSource.HAND,
                                       credit_blocked_days=credit_blocked_days)


@transaction.atomic
def pause_billings(*, pauses: Sequence[DunningPause], by, on: date | None = None) -> list[int]:
    """The bulk form for dunning chunks: accounts already paused are left alone; one update of
    the accounts, one insert of their history and one of the windows. The ids paused."""
    require(by, PAUSE, "You are not allowed to pause billing.")
    day = business_date(on)
    wanted = {p.account_id: p for p in pauses}
    accounts = list(Account.objects.select_for_update().filter(
        pk__in=sorted(wanted), billing_state=BillingState.BILLING).only(
        "pk", "name", "billing_state").order_by("pk"))
    run_bulk_transition(accounts, "pause_billing", by=by, on=day,
                        note="Paused by a dunning step.")
    BillingPause.objects.bulk_create([
        BillingPause(account_id=a.pk, paused_on=day, source=PauseSource.DUNNING,
                     reason=wanted[a.pk].reason[:255], dunning_step=wanted[a.pk].step_key,
                     credit_blocked_days=wanted[a.pk].credit_blocked_days)
        for a in accounts])
    return [a.pk for a in accounts]


def _close(pauses: list[BillingPause], day: date, reason: str) -> list[BillingPause]:
    early = [p for p in pauses if day < p.paused_on]
    if early:
        raise ValidationError({"on": f"Billing cannot resume before it was paused "
                                     f"({early[0].paused_on})."})
    for pause in pauses:
        pause.resumed_on, pause.resume_reason = day, reason
    BillingPause.objects.bulk_update(pauses, ["resumed_on", "resume_reason"])
    return pauses


@transaction.atomic
def resume_billing(*, account: Account, by, reason: str, on: date | None = None
                   ) -> BillingPause:
    """Finance resumes the account's billing from `on`; the window it closes is returned (the
    next run bills the held charges)."""
    actor = require(by, PAUSE, "You are not allowed to resume billing.")
    reason, day = _reason(reason), business_date(on)
    locked = _locked(account, actor)
    if locked.billing_state != BillingState.PAUSED:
        raise ValidationError({"reason": f"The billing of {locked} is not paused."})
    pauses = list(BillingPause.objects.select_for_update().filter(account=locked,
                                                                  resumed_on=None))
    _close(pauses, day, reason)
    run_transition(locked, "resume_billing", by=actor, on=day, note=reason)
    return pauses[0] if pauses else None


@transaction.atomic
def resume_billings(*, account_ids, by, reason: str, on: date | None = None
                    ) -> list[BillingPause]:
    """The bulk form (an overdue balance paid): accounts not paused are left alone; one update
    of the accounts, one insert of their history, one update of the windows. The windows
    closed."""
    require(by, PAUSE, "You are not allowed to resume billing.")
    day, reason = business_date(on), _reason(reason)
    accounts = list(Account.objects.select_for_update().filter(
        pk__in=sorted(set(account_ids)), billing_state=BillingState.PAUSED).only(
        "pk", "name", "billing_state").order_by("pk"))
    pauses = list(BillingPause.objects.select_for_update().filter(
        account__in=[a.pk for a in accounts], resumed_on=None).order_by("pk"))
    _close(pauses, day, reason)
    run_bulk_transition(accounts, "resume_billing", by=by, on=day, note=reason)
    return pauses


@transaction.atomic
def record_credit(*, pause: BillingPause, on: date, outcome: str) -> BillingPause:
    """Payments says the blocked days of a closed window are credited (or nothing was)."""
    BillingPause.objects.filter(pk=pause.pk).update(credited_on=on, credit_outcome=outcome[:255])
    pause.credited_on, pause.credit_outcome = on, outcome[:255]
    return pause
