"""Billing's Celery tasks: each one line of glue around a service, taking ids."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from billing.models import InvoiceRun, InvoiceRunChunk
from billing.services.issuing import issue_drafts_of_run, issue_run_chunk
from billing.services.runs import fail_invoice_run, run_invoice_chunk, run_invoice_run
from core.actors import Actor


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def run_invoice_run_task(run_id: int) -> None:
    run_invoice_run(run=InvoiceRun.objects.get(pk=run_id), by=Actor.task("run_invoice_run"))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def run_invoice_chunk_task(chunk_id: int) -> None:
    actor = Actor.task("run_invoice_chunk")
    try:
        run_invoice_chunk(chunk=chunk_id, by=actor)
    except OperationalError:
        raise  # the database blinked: retried
    except Exception as error:
        # A chunk that cannot finish stops its run with the reason; resume once fixed.
        chunk = InvoiceRunChunk.objects.select_related("run").get(pk=chunk_id)
        fail_invoice_run(run=chunk.run, by=actor,
                         reason=f"Chunk {chunk.sequence}: {type(error).__name__}: {error}")
        raise


@shared_task
def issue_drafts_of_run_task(run_id: int, user_id: int) -> None:
    issue_drafts_of_run(run=InvoiceRun.objects.get(pk=run_id),
                        by=get_user_model().objects.get(pk=user_id))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def issue_run_chunk_task(chunk_id: int, user_id: int) -> None:
    issue_run_chunk(chunk=InvoiceRunChunk.objects.get(pk=chunk_id),
                    by=get_user_model().objects.get(pk=user_id))


# The document tasks (PDFs and their email) live in their own module; importing it here
# registers them on every worker, which autodiscovers only `tasks` modules.
from billing import document_tasks  # noqa: E402, F401
