"""The contract document: context, template, WeasyPrint bytes. Nothing here writes.

WeasyPrint is imported inside `render_contract_pdf` only (as `quotes.pdf` does), so the app serves
pages on a machine without pango; such a machine gets `PdfUnavailable` naming what to install.
"""

from django.conf import settings
from django.template.loader import render_to_string

from quotes.pdf import INSTALL_HINT, PdfUnavailable

TEMPLATE = "contracts/pdf/contract.html"

__all__ = ["PdfUnavailable", "contract_pdf_context", "render_contract_html",
           "render_contract_pdf"]


def contract_pdf_context(contract) -> dict:
    """Letterhead, parties, term, lines, terms and conditions, and the signature block."""
    lines = list(contract.lines.select_related("product").order_by("position", "pk"))
    return {
        "contract": contract,
        "lines": lines,
        "company": {"name": settings.COMPANY_NAME, "address": settings.COMPANY_ADDRESS,
                    "email": settings.COMPANY_EMAIL},
        "account": contract.account,
        "currency": contract.currency,
    }


def render_contract_html(contract) -> str:
    return render_to_string(TEMPLATE, contract_pdf_context(contract))


def render_contract_pdf(contract) -> bytes:
    """The contract's PDF bytes, rendered now from its stored lines and terms."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango or harfbuzz cannot be loaded
        raise PdfUnavailable(
            f"PDFs cannot be rendered on this machine: WeasyPrint could not load ({error}). "
            f"Install its system libraries with: {INSTALL_HINT}"
        ) from error
    return HTML(string=render_contract_html(contract),
                base_url=str(settings.BASE_DIR)).write_pdf()
