"""The quote document: context, template, WeasyPrint bytes. Nothing here writes.

WeasyPrint is imported inside `render_quote_pdf` only, so the app serves pages on a machine
without pango; such a machine gets `PdfUnavailable` naming the packages to install.
"""

from django.conf import settings
from django.template.loader import render_to_string

INSTALL_HINT = ("apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
                "fontconfig fonts-dejavu-core")
TEMPLATE = "quotes/pdf/quote.html"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing on this machine."""


def quote_pdf_context(quote) -> dict:
    """Everything the document shows: letterhead, customer, lines, totals, terms, signature."""
    lines = list(quote.lines.select_related("product").order_by("position", "pk"))
    return {
        "quote": quote,
        "lines": lines,
        "company": {"name": settings.COMPANY_NAME, "address": settings.COMPANY_ADDRESS,
                    "email": settings.COMPANY_EMAIL},
        "account": quote.account,
        "contact": quote.contact,
        "currency": quote.currency,
    }


def render_quote_html(quote) -> str:
    return render_to_string(TEMPLATE, quote_pdf_context(quote))


def render_quote_pdf(quote) -> bytes:
    """The quote's PDF bytes, rendered now from its stored lines and totals."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango or harfbuzz cannot be loaded
        raise PdfUnavailable(
            f"PDFs cannot be rendered on this machine: WeasyPrint could not load ({error}). "
            f"Install its system libraries with: {INSTALL_HINT}"
        ) from error
    return HTML(string=render_quote_html(quote), base_url=str(settings.BASE_DIR)).write_pdf()
