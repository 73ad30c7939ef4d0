"""The contract document: its context and template, rendered by `core.pdf`. Nothing here
writes."""

from django.template.loader import render_to_string

from core.pdf import PdfUnavailable, letterhead, render_pdf

TEMPLATE = "contracts/pdf/contract.html"

__all__ = ["PdfUnavailable", "contract_pdf_context", "render_contract_html",
           "render_contract_pdf"]


def contract_pdf_context(contract) -> dict:
    """Letterhead, parties, term, lines, terms and conditions, and the signature block."""
    lines = list(contract.lines.select_related("product").order_by("position", "pk"))
    return {
        "contract": contract,
        "lines": lines,
        "company": letterhead(),
        "account": contract.account,
        "currency": contract.currency,
    }


def render_contract_html(contract) -> str:
    return render_to_string(TEMPLATE, contract_pdf_context(contract))


def render_contract_pdf(contract) -> bytes:
    """The contract's PDF bytes, rendered now from its stored lines and terms."""
    return render_pdf(TEMPLATE, contract_pdf_context(contract))
