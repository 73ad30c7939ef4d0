"""Celery tasks of billing's documents: each one line of glue around a service, taking ids.

Named explicitly (`billing.document_tasks.<name>`) because Celery autodiscovers only
`billing/tasks.py`, which imports this module.
"""

import logging

from celery import shared_task
from django.db import OperationalError

from billing.pdf import PdfUnavailable
from billing.services import documents

log = logging.getLogger(__name__)


def _deliver(deliver, pk: int) -> None:
    """A machine without WeasyPrint logs and leaves the document for the pending task or the
    first download (which says what to install), rather than failing the issue behind it."""
    try:
        deliver(pk)
    except PdfUnavailable as error:
        log.warning("Document %s not rendered: %s", pk, error)


@shared_task(name="billing.document_tasks.deliver_invoice_task",
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_invoice_task(invoice_id: int) -> None:
    """Render, keep and email an issued invoice's PDF (each once)."""
    _deliver(documents.deliver_invoice, invoice_id)


@shared_task(name="billing.document_tasks.deliver_credit_note_task",
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_credit_note_task(credit_note_id: int) -> None:
    """Render, keep and email an issued credit note's PDF (each once)."""
    _deliver(documents.deliver_credit_note, credit_note_id)


@shared_task(name="billing.document_tasks.deliver_pending_documents_task",
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_pending_documents_task() -> None:
    """Pick up issued documents not rendered or mailed yet (a batch per run)."""
    invoice_ids, credit_note_ids = documents.pending_documents()
    for pk in invoice_ids:
        _deliver(documents.deliver_invoice, pk)
    for pk in credit_note_ids:
        _deliver(documents.deliver_credit_note, pk)
