"""Accounting periods: created when first needed; open → closing → closed → (reopen) open.

Every transition locks the period row first and runs through core.transitions, so each is
permission-checked and recorded with who, when and the note.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core import clock
from core.actors import as_actor
from core.dates import month_start
from core.events import record_event
from core.transitions import run_transition
from ledger.models import AccountingPeriod
from ledger.period_rules import month_end
from ledger.selectors import period_for_update
from ledger.services.closing_balances import drop_closing_balances, keep_closing_balances


def ensure_period(day: date) -> AccountingPeriod:
    """The period of `day`'s month, created open if it does not exist yet."""
    start = month_start(day)
    period, _ = AccountingPeriod.objects.get_or_create(start_on=start,
                                                       defaults={"end_on": month_end(start)})
    return period


@transaction.atomic
def start_close(period: AccountingPeriod, *, by, note: str = "", on: date | None = None):
    """Stop posting into the period while it is reviewed; later documents post after it."""
    return run_transition(period_for_update(period.pk), "start_close", by=by, note=note, on=on)


@transaction.atomic
def cancel_close(period: AccountingPeriod, *, by, note: str = "", on: date | None = None):
    """Open a closing period again (the review found something to post)."""
    return run_transition(period_for_update(period.pk), "cancel_close", by=by, note=note, on=on)


@transaction.atomic
def close_period(period: AccountingPeriod, *, by, note: str = "", on: date | None = None):
    """Close a period under review; documents dated in it post in the next open period."""
    actor = as_actor(by)
    period = run_transition(period_for_update(period.pk), "close", by=actor, note=note, on=on,
                            closed_by=actor.user, at=clock.now())
    keep_closing_balances(period)
    record_event("period.closed", period)
    return period


@transaction.atomic
def reopen_period(period: AccountingPeriod, *, by, reason: str, on: date | None = None):
    """Open a closed period again; the reason is required and kept as the transition's note.
    Its closing balances and every later period's are no longer kept: it takes postings again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the period is reopened."})
    period = run_transition(period_for_update(period.pk), "reopen", by=by, note=reason, on=on)
    drop_closing_balances(period)
    return period
