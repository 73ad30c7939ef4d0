"""Payments' Celery tasks: each one line of glue around a service, taking ids."""

from celery import shared_task

from core.actors import Actor
from payments.models import DunningRunChunk
from payments.services import run_autopay, run_dunning, send_dunning_emails
from payments.services.credits import auto_apply_credits
from payments.services.dunning import fail_dunning_run, run_dunning_chunk
from payments.services.statement_mail import send_monthly_statements


@shared_task
def run_autopay_task() -> dict:
    run = run_autopay(by=Actor.task("run_autopay"))
    return {"settled": run.settled, "charged": run.charged, "succeeded": run.succeeded,
            "failed": run.failed, "pending": run.pending}


@shared_task
def run_dunning_task() -> int:
    return run_dunning(by=Actor.task("run_dunning")).pk


@shared_task
def run_dunning_chunk_task(chunk_id: int) -> int:
    by = Actor.task("run_dunning")
    chunk = DunningRunChunk.objects.get(pk=chunk_id)
    try:
        return run_dunning_chunk(chunk=chunk, by=by).steps_taken
    except Exception as error:
        fail_dunning_run(run_id=chunk.run_id, by=by, reason=f"{chunk}: {error}")
        raise


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)  # SMTP errors too
def send_dunning_emails_task(first_step_id: int, last_step_id: int) -> int:
    return send_dunning_emails(first_step_id=first_step_id, last_step_id=last_step_id)


@shared_task
def apply_customer_credits_task() -> int:
    return auto_apply_credits(by=Actor.task("apply_customer_credits"))


@shared_task
def send_monthly_statements_task() -> int:
    return send_monthly_statements()


@shared_task
def credit_blocked_days_task() -> int:
    from payments.services.billing_pause import credit_waiting_pauses

    return credit_waiting_pauses(by=Actor.task("credit_blocked_days"))
