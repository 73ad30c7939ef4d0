"""Beat's runs, started as ordinary runs of the system actor: each bill day's invoice run (drafts
for review, or drafted and issued, as finance set on the schedule page) and last month's
recognition run once the month has ended. Each is idempotent: a doubled beat starts nothing
twice (one scheduled invoice run per day, one recognition run per month).

A scheduled run that is refused (an unfinished run holds its accounts, the month is closed,
...) is recorded as a `RunRefusal`: an alert on the operations page and finance's home until a
later run for the same day or month starts (beat's, or one retried from the alert) or someone
with the permission dismisses it."""

import logging
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing.models import InvoiceRun, RunState
from billing.services.issuing import issue_drafts_of_run
from billing.services.runs import create_invoice_run
from core import clock
from core.actors import Actor, as_actor, require
from core.dates import add_months, business_date, month_start
from core.transitions import run_transition
from operations.models import (
    InvoiceRunMode,
    RefusalState,
    RefusedRunKind,
    RunRefusal,
    ScheduledInvoiceRun,
    ScheduleSettings,
)
from revrec.models import RecognitionRun
from revrec.services import start_recognition_run

log = logging.getLogger(__name__)

LAST_BILL_DAY = 28  # accounts bill on days 1-28 (customers.Account.bill_day)
INVOICE_RUN_AT = time(3, 0)  # q2c/schedules.py "bill-day-invoice-run"


def schedule_settings() -> ScheduleSettings:
    return ScheduleSettings.objects.get_or_create(pk=1)[0]


@transaction.atomic
def update_schedule(*, by, invoice_run_mode: str, recognize_after_month_end: bool
                    ) -> ScheduleSettings:
    actor = as_actor(by)
    if not actor.has_perm("operations.change_schedulesettings"):
        raise PermissionDenied("You are not allowed to change the scheduled runs.")
    if invoice_run_mode not in InvoiceRunMode.values:
        raise ValidationError({"invoice_run_mode": "Choose what the bill day's run does."})
    schedule_settings()
    row = ScheduleSettings.objects.select_for_update().get(pk=1)
    row.invoice_run_mode, row.recognize_after_month_end = (invoice_run_mode,
                                                           recognize_after_month_end)
    row.updated_by, row.updated_at = actor.user, clock.now()
    row.save()
    return row


def next_invoice_run_on(now: datetime | None = None) -> date | None:
    """The day beat next starts a bill-day run (None when finance turned it off)."""
    if schedule_settings().invoice_run_mode == InvoiceRunMode.OFF:
        return None
    now = timezone.localtime(now)
    day = now.date() if now.time() < INVOICE_RUN_AT else now.date() + timedelta(days=1)
    return day if day.day <= LAST_BILL_DAY else add_months(month_start(day), 1)


def start_bill_day_run(*, on: date | None = None) -> InvoiceRun | None:
    """Today's run for the accounts whose bill day is today, unless it exists, the mode is
    off or today is past day 28; refused (an unfinished run holds the same accounts, ...), it
    is recorded as an alert."""
    day = business_date(on)
    mode = schedule_settings().invoice_run_mode
    if mode == InvoiceRunMode.OFF or day.day > LAST_BILL_DAY or \
            ScheduledInvoiceRun.objects.filter(run_on=day).exists():
        return None
    return _start_bill_day_run(day, by=Actor.task("scheduled_invoice_run"),
                               issue=mode == InvoiceRunMode.ISSUE)


def _start_bill_day_run(day: date, *, by, issue: bool) -> InvoiceRun | None:
    """The bill day's run and its schedule row, closing the day's alert; or the refusal
    recorded (the attempt rolled back) and None."""
    try:
        with transaction.atomic():
            run = create_invoice_run(by=by, as_of=day, bill_day=day.day)
            ScheduledInvoiceRun.objects.create(run=run, bill_day=day.day, run_on=day,
                                               issue=issue)
            _resolve_refusals(RefusedRunKind.BILL_DAY, day, by=by, invoice_run=run)
    except IntegrityError:  # the same beat delivered twice at once
        return None
    except (ValidationError, PermissionDenied) as error:
        record_refusal(kind=RefusedRunKind.BILL_DAY, scope_on=day, error=error,
                       blocking_invoice_run=_live_invoice_run_for_bill_day(day))
        return None
    return run


def _live_invoice_run_for_bill_day(day: date) -> InvoiceRun | None:
    """The unfinished run a bill day's run (all accounts of the day, any currency) overlaps
    first, in pk order, as billing.services.runs.create_invoice_run checks: a run for the same
    bill day or for every bill day."""
    return (InvoiceRun.objects.filter(state__in=InvoiceRun.LIVE_STATES)
            .filter(Q(bill_day__isnull=True) | Q(bill_day=day.day)).order_by("pk").first())


def _reason(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Not allowed."


@transaction.atomic
def record_refusal(*, kind: str, scope_on: date, error: ValidationError | PermissionDenied,
                   blocking_invoice_run: InvoiceRun | None = None,
                   blocking_recognition_run: RecognitionRun | None = None) -> RunRefusal:
    """The day's open alert for this run, new or counting one more attempt, with this
    refusal's reason and blocker (logged too)."""
    reason = _reason(error)
    log.warning("The %s of %s was not started: %s", RefusedRunKind(kind).label.lower(),
                scope_on, reason)
    now = clock.now()
    fields = {"reason": reason, "blocking_invoice_run": blocking_invoice_run,
              "blocking_recognition_run": blocking_recognition_run, "last_refused_at": now}
    refusal = (RunRefusal.objects.select_for_update()
               .filter(kind=kind, scope_on=scope_on, state=RefusalState.OPEN).first())
    if refusal is None:
        return RunRefusal.objects.create(kind=kind, scope_on=scope_on, refused_at=now, **fields)
    for name, value in fields.items():
        setattr(refusal, name, value)
    refusal.attempts += 1
    refusal.save(update_fields=[*fields, "attempts"])
    return refusal


def _resolve_refusals(kind: str, scope_on: date, *, by, invoice_run=None,
                      recognition_run=None) -> None:
    """Close the open alert of this run and day, if any: a later run for it started."""
    actor = as_actor(by)
    run = invoice_run or recognition_run
    for refusal in RunRefusal.objects.select_for_update().filter(
            kind=kind, scope_on=scope_on, state=RefusalState.OPEN):
        run_transition(refusal, "resolve", by=actor, note=f"{run_label(run)} started.",
                       invoice_run=invoice_run, recognition_run=recognition_run,
                       closed_by=actor.user, closed_at=clock.now())


def run_label(run) -> str:
    if isinstance(run, RecognitionRun):
        return f"Recognition run of {run.month:%B %Y}"
    return f"Invoice run {run.pk}"


@transaction.atomic
def dismiss_refusal(*, refusal_id: int, by, note: str = "") -> RunRefusal:
    """Close a refused run's alert by hand (recorded with who, when and the note)."""
    actor = require(by, "operations.dismiss_runrefusal",
                    "You are not allowed to dismiss a refused run's alert.")
    refusal = RunRefusal.objects.select_for_update().get(pk=refusal_id)
    return run_transition(refusal, "dismiss", by=actor, note=note.strip(),
                          closed_by=actor.user, closed_at=clock.now())


RETRY_PERMISSIONS = {
    RefusedRunKind.BILL_DAY: ("billing.start_invoice_run",
                              "You are not allowed to start invoice runs."),
    RefusedRunKind.RECOGNITION: ("revrec.run_recognition",
                                 "You are not allowed to run revenue recognition."),
}


def retry_refused_run(*, refusal_id: int, by, on: date | None = None
                      ) -> InvoiceRun | RecognitionRun | None:
    """Start the refused run again, for the same day or month, as the person asking; refused
    again, the alert counts the attempt and None is returned."""
    refusal = RunRefusal.objects.get(pk=refusal_id)
    actor = require(by, *RETRY_PERMISSIONS[refusal.kind])
    if refusal.state != RefusalState.OPEN:
        raise ValidationError(f"This alert is {refusal.get_state_display().lower()}.")
    if refusal.kind == RefusedRunKind.RECOGNITION:
        return _start_recognition(refusal.scope_on, by=actor, on=on)
    return _start_bill_day_run(refusal.scope_on, by=actor, issue=(
        schedule_settings().invoice_run_mode == InvoiceRunMode.ISSUE))


def issue_scheduled_drafts() -> int:
    """Issue the drafts of completed scheduled runs whose mode said so, once each."""
    actor = Actor.task("scheduled_invoice_run")
    done = 0
    for pk in ScheduledInvoiceRun.objects.filter(
            issue=True, issued_at__isnull=True, run__state=RunState.COMPLETED).values_list(
            "pk", flat=True):
        with transaction.atomic():
            scheduled = ScheduledInvoiceRun.objects.select_for_update().select_related(
                "run").get(pk=pk)
            if scheduled.issued_at is None:
                issue_drafts_of_run(run=scheduled.run, by=actor)
                scheduled.issued_at = clock.now()
                scheduled.save(update_fields=["issued_at"])
                done += 1
    return done


def start_last_months_recognition(*, on: date | None = None) -> RecognitionRun | None:
    """Last month's recognition run, once the month has ended and while it has none (one
    started by hand closes the month's alert); refused, it is recorded as an alert."""
    today = business_date(on)
    if not schedule_settings().recognize_after_month_end:
        return None
    month = add_months(month_start(today), -1)
    actor = Actor.task("scheduled_recognition_run")
    started = RecognitionRun.objects.filter(month__gte=month).order_by("month").first()
    if started is not None:
        with transaction.atomic():
            _resolve_refusals(RefusedRunKind.RECOGNITION, month, by=actor,
                              recognition_run=started)
        return None
    return _start_recognition(month, by=actor, on=today)


def _start_recognition(month: date, *, by, on: date | None) -> RecognitionRun | None:
    try:
        with transaction.atomic():
            run = start_recognition_run(month=month, by=by, on=on)
            _resolve_refusals(RefusedRunKind.RECOGNITION, month, by=by, recognition_run=run)
    except (ValidationError, PermissionDenied) as error:
        # revrec refuses a month once a later month has a run: that run holds it
        record_refusal(kind=RefusedRunKind.RECOGNITION, scope_on=month, error=error,
                       blocking_recognition_run=RecognitionRun.objects.filter(
                           month__gt=month).order_by("month").first())
        return None
    return run
