"""Billing's Celery tasks: each one line of glue around a service, taking ids. Invoice runs
first, then the documents (their PDFs and email)."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from billing.models import InvoiceRun, InvoiceRunChunk
from billing.pdf import PdfUnavailable
from billing.services import documents
from billing.services.issuing import issue_drafts_of_run, issue_run_chunk
from billing.services.runs import fail_invoice_run, run_invoice_chunk, run_invoice_run
from core.actors import Actor

log = logging.getLogger(__name__)


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


def _deliver(deliver, pk: int) -> None:
    """A machine without WeasyPrint logs and leaves the document for the pending task or the
    first download (which says what to install), rather than failing the issue behind it."""
    try:
        deliver(pk)
    except PdfUnavailable as error:
        log.warning("Document %s not rendered: %s", pk, error)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_invoice_task(invoice_id: int) -> None:
    """Render, keep and email an issued invoice's PDF (each once)."""
    _deliver(documents.deliver_invoice, invoice_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_credit_note_task(credit_note_id: int) -> None:
    """Render, keep and email an issued credit note's PDF (each once)."""
    _deliver(documents.deliver_credit_note, credit_note_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_pending_documents_task() -> None:
    """Pick up issued documents not rendered or mailed yet (a batch per run)."""
    invoice_ids, credit_note_ids = documents.pending_documents()
    for pk in invoice_ids:
        _deliver(documents.deliver_invoice, pk)
    for pk in credit_note_ids:
        _deliver(documents.deliver_credit_note, pk)
