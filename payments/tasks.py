"""Payments' Celery tasks: each one line of glue around a service, taking ids."""

from celery import shared_task

from core.actors import Actor
from payments.services import run_autopay, run_dunning, send_dunning_emails


@shared_task
def run_autopay_task() -> dict:
    run = run_autopay(by=Actor.task("run_autopay"))
    return {"settled": run.settled, "charged": run.charged, "succeeded": run.succeeded,
            "failed": run.failed, "pending": run.pending}


@shared_task
def run_dunning_task() -> dict:
    run = run_dunning(by=Actor.task("run_dunning"))
    return {"run": run.pk, "invoices": run.invoices_seen, "steps": run.steps_taken}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)  # SMTP errors too
def send_dunning_emails_task(event_ids: list[int]) -> int:
    return send_dunning_emails(event_ids=event_ids)
