"""The PDFs of issued invoices and credit notes: rendered once, kept, emailed once.

A document is rendered after it is issued (by a background task) or on its first download,
whichever comes first, and stored with its SHA-256 and render time; from then on the stored
bytes are what is served and mailed, so an issued document never changes. Two renders at once
(a worker and a download) store only one: the row is updated only while it has no PDF, and the
loser's file is deleted. The document is then delivered once, the way its account takes
documents (billing/services/delivery.py: email, portal only, or post).
"""

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db.models import Q

from billing.models import CreditNote, CreditNoteState, Invoice, InvoiceKind, InvoiceState
from billing.pdf import render_credit_note_pdf, render_invoice_pdf
from core import clock
from customers.models import ContactRole, DocumentDelivery

PENDING_BATCH = 50  # documents per task run: ~6 PDFs a second per core, so ~10 s of work
ISSUED_INVOICE_STATES = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID,
                         InvoiceState.UNCOLLECTIBLE, InvoiceState.VOID)


class DocumentNotIssued(Exception):
    """A draft has no document to keep."""


def _kind(document) -> tuple[type, str]:
    if isinstance(document, CreditNote):
        return CreditNote, "credit_note"
    return Invoice, "invoice"


def _render(document) -> bytes:
    if isinstance(document, CreditNote):
        return render_credit_note_pdf(document)
    return render_invoice_pdf(document)


def is_issued(document) -> bool:
    if isinstance(document, CreditNote):
        return document.state == CreditNoteState.ISSUED
    return document.state in ISSUED_INVOICE_STATES


def stored_pdf(document) -> bytes:
    """The document's kept PDF, rendered and stored now if it has none yet."""
    if not is_issued(document):
        raise DocumentNotIssued(f"{document} is a draft: it has no document yet.")
    if not document.pdf:
        ensure_pdf(document)
    with document.pdf.open("rb") as handle:
        return handle.read()


def ensure_pdf(document) -> bool:
    """Render and store the PDF of an issued document that has none; True if this call stored
    it. Writes with a conditional update, outside any long transaction."""
    model, _ = _kind(document)
    if document.pdf or not is_issued(document):
        return False
    pdf = _render(document)
    name = document.pdf.field.generate_filename(document, f"{document.number}.pdf")
    stored = document.pdf.storage.save(name, ContentFile(pdf))
    digest, now = hashlib.sha256(pdf).hexdigest(), clock.now()
    won = model.objects.filter(pk=document.pk, pdf="").update(
        pdf=stored, pdf_sha256=digest, pdf_rendered_at=now)
    if not won:
        document.pdf.storage.delete(stored)
    fresh = model.objects.only("pdf", "pdf_sha256", "pdf_rendered_at").get(pk=document.pk)
    document.pdf, document.pdf_sha256 = fresh.pdf, fresh.pdf_sha256
    document.pdf_rendered_at = fresh.pdf_rendered_at
    return bool(won)


def deliver_document(document) -> None:
    """Render, keep and deliver an issued document (each step once)."""
    from billing.services.delivery import deliver_issued  # delivery reads the kept PDF here

    ensure_pdf(document)
    deliver_issued(document)


def deliver_invoice(invoice_id: int) -> None:
    deliver_document(Invoice.objects.select_related("account__payment_terms").get(
        pk=invoice_id))


def deliver_credit_note(credit_note_id: int) -> None:
    deliver_document(CreditNote.objects.select_related("account", "invoice").get(
        pk=credit_note_id))


def pending_documents(*, limit: int = PENDING_BATCH, since: date | None = None):
    """Issued invoices and credit notes still without a PDF, an email to send (delivered by
    email) or a postal copy (delivered by post), oldest first; migrated invoices are
    the previous system's documents and are not re-sent."""
    email_due = Q(emailed_at__isnull=True, delivery=DocumentDelivery.EMAIL,
                  account__contacts__role=ContactRole.BILLING)
    post_due = Q(delivery=DocumentDelivery.POST, postal_copy__isnull=True)
    not_done = Q(pdf="") | email_due | post_due
    invoices = Invoice.objects.filter(not_done, state__in=ISSUED_INVOICE_STATES[:3]).exclude(
        kind=InvoiceKind.MIGRATED)
    notes = CreditNote.objects.filter(not_done, state=CreditNoteState.ISSUED)
    if since:
        invoices, notes = invoices.filter(issue_on__gte=since), notes.filter(issue_on__gte=since)
    return (list(invoices.distinct().order_by("pk").values_list("pk", flat=True)[:limit]),
            list(notes.distinct().order_by("pk").values_list("pk", flat=True)[:limit]))
