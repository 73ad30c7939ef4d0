"""The quote document: its context and template, rendered by `core.pdf`. Nothing here writes."""

from django.template.loader import render_to_string

from core.pdf import INSTALL_HINT, PdfUnavailable, letterhead, render_pdf

TEMPLATE = "quotes/pdf/quote.html"

__all__ = ["INSTALL_HINT", "PdfUnavailable", "quote_pdf_context", "render_quote_html",
           "render_quote_pdf"]


def quote_pdf_context(quote) -> dict:
    """Everything the document shows: letterhead, customer, lines, totals, terms, signature."""
    lines = list(quote.lines.select_related("product").order_by("position", "pk"))
    return {
        "quote": quote,
        "lines": lines,
        "company": letterhead(),
        "account": quote.account,
        "contact": quote.contact,
        "currency": quote.currency,
    }


def render_quote_html(quote) -> str:
    return render_to_string(TEMPLATE, quote_pdf_context(quote))


def render_quote_pdf(quote) -> bytes:
    """The quote's PDF bytes, rendered now from its stored lines and totals."""
    return render_pdf(TEMPLATE, quote_pdf_context(quote))
