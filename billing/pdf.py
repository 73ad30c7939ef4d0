"""Invoice and credit note documents: their contexts and templates, rendered by `core.pdf`.
Nothing here writes (billing.services.documents stores, serves and emails them)."""

from core.pdf import PdfUnavailable, letterhead, render_pdf

INVOICE_TEMPLATE = "billing/documents/pdf/invoice.html"
CREDIT_NOTE_TEMPLATE = "billing/documents/pdf/credit_note.html"

__all__ = ["PdfUnavailable", "credit_note_pdf_context", "invoice_pdf_context",
           "render_credit_note_pdf", "render_invoice_pdf"]


def invoice_pdf_context(invoice) -> dict:
    """Letterhead, customer, lines with their periods, taxes per rate, totals, due schedule."""
    return {
        "invoice": invoice,
        "company": letterhead(),
        "account": invoice.account,
        "currency": invoice.currency,
        "lines": list(invoice.lines.order_by("position", "pk")),
        "taxes": list(invoice.taxes.order_by("name", "percent")),
        "instalments": list(invoice.instalments.order_by("sequence")),
    }


def credit_note_pdf_context(credit_note) -> dict:
    return {
        "credit_note": credit_note,
        "invoice": credit_note.invoice,
        "company": letterhead(),
        "account": credit_note.account,
        "currency": credit_note.currency,
        "lines": list(credit_note.lines.order_by("position", "pk")),
        "taxes": list(credit_note.taxes.order_by("name", "percent")),
    }


def render_invoice_pdf(invoice) -> bytes:
    """The invoice's PDF bytes, rendered now from its stored lines and totals."""
    return render_pdf(INVOICE_TEMPLATE, invoice_pdf_context(invoice))


def render_credit_note_pdf(credit_note) -> bytes:
    return render_pdf(CREDIT_NOTE_TEMPLATE, credit_note_pdf_context(credit_note))
