"""Operations' Celery tasks (started by beat, q2c/schedules.py): one line of glue each."""

from celery import shared_task

from operations import services


@shared_task
def bill_day_invoice_run_task() -> int | None:
    run = services.start_bill_day_run()
    return run.pk if run else None


@shared_task
def issue_scheduled_drafts_task() -> int:
    return services.issue_scheduled_drafts()


@shared_task
def last_months_recognition_task() -> int | None:
    run = services.start_last_months_recognition()
    return run.pk if run else None
