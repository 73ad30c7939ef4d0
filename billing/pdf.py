"""Invoice and credit note documents: context, template, WeasyPrint bytes. Nothing here writes
(billing.services.documents stores, serves and emails them).

WeasyPrint is imported inside `render_pdf` only, as quotes.pdf does, so the app serves pages on
a machine without pango; such a machine gets `PdfUnavailable` naming the packages to install.
"""

from django.conf import settings
from django.template.loader import render_to_string

from quotes.pdf import INSTALL_HINT, PdfUnavailable

INVOICE_TEMPLATE = "billing/documents/pdf/invoice.html"
CREDIT_NOTE_TEMPLATE = "billing/documents/pdf/credit_note.html"

__all__ = ["PdfUnavailable", "credit_note_pdf_context", "invoice_pdf_context",
           "render_credit_note_pdf", "render_invoice_pdf"]


def _company() -> dict:
    return {"name": settings.COMPANY_NAME, "address": settings.COMPANY_ADDRESS,
            "email": settings.COMPANY_EMAIL}


def invoice_pdf_context(invoice) -> dict:
    """Letterhead, customer, lines with their periods, taxes per rate, totals, due schedule."""
    return {
        "invoice": invoice,
        "company": _company(),
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
        "company": _company(),
        "account": credit_note.account,
        "currency": credit_note.currency,
        "lines": list(credit_note.lines.order_by("position", "pk")),
        "taxes": list(credit_note.taxes.order_by("name", "percent")),
    }


def render_pdf(template: str, context: dict) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango or harfbuzz cannot be loaded
        raise PdfUnavailable(
            f"PDFs cannot be rendered on this machine: WeasyPrint could not load ({error}). "
            f"Install its system libraries with: {INSTALL_HINT}"
        ) from error
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_invoice_pdf(invoice) -> bytes:
    """The invoice's PDF bytes, rendered now from its stored lines and totals."""
    return render_pdf(INVOICE_TEMPLATE, invoice_pdf_context(invoice))


def render_credit_note_pdf(credit_note) -> bytes:
    return render_pdf(CREDIT_NOTE_TEMPLATE, credit_note_pdf_context(credit_note))
