"""Customer documents as PDF bytes: a template and its context through WeasyPrint. Nothing here
writes; each stage's `pdf.py` builds its document's context.

WeasyPrint is imported when a PDF is rendered, not when the app starts, so the app serves pages
on a machine without pango; such a machine gets `PdfUnavailable` naming the packages to install.
"""

from django.conf import settings
from django.template.loader import render_to_string

from core.company import seller

INSTALL_HINT = ("apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
                "fontconfig fonts-dejavu-core")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing on this machine."""


def letterhead() -> dict:
    """The company every customer document comes from (settings COMPANY_*)."""
    company = seller()
    return {"name": settings.COMPANY_NAME, "address": settings.COMPANY_ADDRESS,
            "email": settings.COMPANY_EMAIL, "legal_name": company.legal_name,
            "vat_id": company.vat_id, "company_id": company.company_id,
            "iban": company.iban, "bic": company.bic}


def render_pdf(template: str, context: dict, *, variant: str | None = None) -> bytes:
    """The template rendered with `context`, as PDF bytes (`variant`: WeasyPrint's pdf_variant,
    e.g. "pdf/a-3b" for the archive format Factur-X is built on)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango or harfbuzz cannot be loaded
        raise PdfUnavailable(
            f"PDFs cannot be rendered on this machine: WeasyPrint could not load ({error}). "
            f"Install its system libraries with: {INSTALL_HINT}"
        ) from error
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=variant)
