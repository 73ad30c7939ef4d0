"""Customer documents as PDF bytes: a template and its context through WeasyPrint. Nothing here
writes; each stage's `pdf.py` builds its document's context.

WeasyPrint is imported when a PDF is rendered, not when the app starts, so the app serves pages
on a machine without pango; such a machine gets `PdfUnavailable` naming the packages to install.
"""

import base64
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from core.company import seller

INSTALL_HINT = ("apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
                "fontconfig fonts-dejavu-core")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing on this machine."""


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml"}


def letterhead() -> dict:
    """The company every customer document comes from (settings COMPANY_*), with its logo and
    colour."""
    company = seller()
    return {"name": settings.COMPANY_NAME, "address": settings.COMPANY_ADDRESS,
            "email": settings.COMPANY_EMAIL, "legal_name": company.legal_name,
            "vat_id": company.vat_id, "company_id": company.company_id,
            "iban": company.iban, "bic": company.bic, "logo": logo_data_uri(),
            "colour": settings.COMPANY_COLOUR}


def logo_data_uri() -> str:
    """COMPANY_LOGO as a data URI the PDF carries ("" when none is set); a logo that is
    missing or not a PNG, JPEG or SVG file is a configuration error, said in words."""
    if not settings.COMPANY_LOGO:
        return ""
    path = Path(settings.COMPANY_LOGO)
    path = path if path.is_absolute() else Path(settings.BASE_DIR) / path
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None or not path.is_file():
        raise ImproperlyConfigured(f"COMPANY_LOGO {settings.COMPANY_LOGO!r} is not a PNG, JPEG "
                                   "or SVG file.")
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def sepa_transfer_qr(*, name: str, iban: str, bic: str = "", amount: Decimal, currency: str,
                     reference: str) -> str:
    """An EPC QR code (the European Payments Council's "GiroCode", EPC069-12) that a banking
    app scans to fill in a SEPA credit transfer of `amount` to `name`'s `iban` with
    `reference`, as a PNG data URI; "" when it cannot apply (not euros, nothing due, no
    IBAN)."""
    if currency != "EUR" or amount <= 0 or not iban:
        return ""
    import segno.helpers

    code = segno.helpers.make_epc_qr(name=name[:70], iban=iban, bic=bic or None, amount=amount,
                                     text=reference[:140])
    return code.png_data_uri(scale=4, border=2)


def render_pdf(template: str, context: dict, *, variant: str | None = None) -> bytes:
    """The template rendered with `context`, as PDF bytes (`variant`: WeasyPrint's pdf_variant,
    e.g. "pdf/a-3b" for the archive format Factur-X is built on)."""
    return html_to_pdf(render_to_string(template, context), variant=variant)


def html_to_pdf(html: str, *, variant: str | None = None) -> bytes:
    """The page laid out by WeasyPrint, as PDF bytes."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango or harfbuzz cannot be loaded
        raise PdfUnavailable(
            f"PDFs cannot be rendered on this machine: WeasyPrint could not load ({error}). "
            f"Install its system libraries with: {INSTALL_HINT}"
        ) from error
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=variant)
