"""Beat's runs, started as ordinary runs of the system actor: each bill day's invoice run (drafts
for review, or drafted and issued, as finance set on the schedule page) and last month's
recognition run once the month has ended. Each is idempotent: a doubled beat starts nothing
twice (one scheduled invoice run per day, one recognition run per month)."""

import logging
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import InvoiceRun, RunState
from billing.services.issuing import issue_drafts_of_run
from billing.services.runs import create_invoice_run
from core.actors import Actor, as_actor
from core.dates import add_months, business_date, month_start
from operations.models import InvoiceRunMode, ScheduledInvoiceRun, ScheduleSettings
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
    row.updated_by, row.updated_at = actor.user, timezone.now()
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
    off, today is past day 28, or an unfinished run holds the same accounts (logged)."""
    day = business_date(on)
    mode = schedule_settings().invoice_run_mode
    if mode == InvoiceRunMode.OFF or day.day > LAST_BILL_DAY or \
            ScheduledInvoiceRun.objects.filter(run_on=day).exists():
        return None
    try:
        with transaction.atomic():
            run = create_invoice_run(by=Actor.task("scheduled_invoice_run"), as_of=day,
                                     bill_day=day.day)
            ScheduledInvoiceRun.objects.create(run=run, bill_day=day.day, run_on=day,
                                               issue=mode == InvoiceRunMode.ISSUE)
    except IntegrityError:  # the same beat delivered twice at once
        return None
    except ValidationError as error:
        log.warning("The bill day run of %s was not started: %s", day, " ".join(error.messages))
        return None
    return run


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
                scheduled.issued_at = timezone.now()
                scheduled.save(update_fields=["issued_at"])
                done += 1
    return done


def start_last_months_recognition(*, on: date | None = None) -> RecognitionRun | None:
    """Last month's recognition run, once the month has ended and while it has none."""
    today = business_date(on)
    if not schedule_settings().recognize_after_month_end:
        return None
    month = add_months(month_start(today), -1)
    if RecognitionRun.objects.filter(month__gte=month).exists():
        return None
    try:
        return start_recognition_run(month=month, by=Actor.task("scheduled_recognition_run"),
                                     on=today)
    except ValidationError as error:
        log.warning("The recognition run of %s was not started: %s", f"{month:%B %Y}",
                    " ".join(error.messages))
        return None
