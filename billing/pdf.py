"""Invoice and credit note documents: their contexts and templates, rendered by `core.pdf`.
Nothing here writes (billing.services.documents stores, serves and emails them)."""

from django.utils import translation

from billing.models import LineSource
from billing.services.pay_links import pay_link_url
from core.pdf import PdfUnavailable, letterhead, render_pdf, sepa_transfer_qr

INVOICE_TEMPLATE = "billing/documents/pdf/invoice.html"
CREDIT_NOTE_TEMPLATE = "billing/documents/pdf/credit_note.html"

__all__ = ["PdfUnavailable", "credit_note_pdf_context", "invoice_pdf_context",
           "render_credit_note_pdf", "render_invoice_pdf"]


def _company(copy: dict) -> dict:
    """The letterhead, with the seller the document copied on issue where it has one."""
    company = letterhead()
    for name in ("vat_id", "company_id", "legal_name"):
        if copy.get(name):
            company[name] = copy[name]
    return company


def vat_notes(lines) -> list[str]:
    """The wording the law requires for lines without VAT (Art. 226(11) and (11a) of the VAT
    directive: "Reverse charge", the exemption's reason), and why a taxed line is taxed where
    it is when a rule chose (the EUR 10,000 of Art. 59c, the One-Stop Shop), each once."""
    notes = []
    for line in lines:
        note = line.vat_exemption_reason or line.vat_reason
        if note and note not in notes:
            notes.append(note)
    return notes


def shown_lines(lines) -> list:
    """The lines a reader needs: usage lines with nothing used and nothing charged are left
    out (they stay on the invoice and its e-invoice; the PDF says how many were left out)."""
    return [line for line in lines
            if not (line.source == LineSource.USAGE and not line.quantity and not line.amount)]


def pay_url_of(invoice) -> str:
    """The customer's pay-by-card link while something is due (the kept PDF carries it)."""
    if invoice.is_open and invoice.amount_due > 0:
        return pay_link_url(invoice)
    return ""


def invoice_pdf_context(invoice) -> dict:
    """Letterhead, customer, lines with their periods, taxes per rate, totals, due schedule,
    remittance details and the pay link."""
    all_lines = list(invoice.lines.order_by("position", "pk"))
    lines = shown_lines(all_lines)
    company = _company(invoice.seller)
    return {
        "hidden_lines": len(all_lines) - len(lines),
        "pay_url": pay_url_of(invoice),
        "invoice": invoice,
        "company": company,
        "account": invoice.account,
        "buyer_vat_id": invoice.buyer.get("vat_id", ""),
        "currency": invoice.currency,
        "lines": lines,
        "vat_notes": vat_notes(lines),
        "payment_means": invoice.payment_means,
        "taxes": list(invoice.taxes.order_by("name", "percent")),
        "instalments": list(invoice.instalments.order_by("sequence")),
        "transfer_qr": _transfer_qr(invoice, company),
    }


def _transfer_qr(invoice, company: dict) -> str:
    """The EPC QR code of a bank transfer of what is due, to the account the invoice names
    (its own credit-transfer details, else the seller's); none for debits and cards."""
    means = invoice.payment_means or {}
    if means.get("kind") in ("direct_debit", "card"):
        return ""
    if means.get("kind") == "credit_transfer" and means.get("iban"):
        name, iban, bic = means.get("account_name", ""), means["iban"], means.get("bic", "")
    else:
        name, iban, bic = company["legal_name"] or company["name"], company["iban"], company["bic"]
    return sepa_transfer_qr(name=name, iban=iban, bic=bic, amount=invoice.amount_due,
                            currency=invoice.currency, reference=invoice.number)


def credit_note_pdf_context(credit_note) -> dict:
    lines = list(credit_note.lines.order_by("position", "pk"))
    return {
        "credit_note": credit_note,
        "invoice": credit_note.invoice,
        "company": _company(credit_note.seller),
        "account": credit_note.account,
        "buyer_vat_id": credit_note.buyer.get("vat_id", ""),
        "currency": credit_note.currency,
        "lines": lines,
        "vat_notes": vat_notes(lines),
        "taxes": list(credit_note.taxes.order_by("name", "percent")),
    }


def language_of(document) -> str:
    """The language the customer reads its documents in, as the document copied it."""
    return ((document.buyer or {}).get("language") or document.account.document_language
            or "en")


def render_invoice_pdf(invoice, *, variant: str | None = None) -> bytes:
    """The invoice's PDF bytes, rendered now from its stored lines and totals, in the
    customer's language."""
    with translation.override(language_of(invoice)):
        return render_pdf(INVOICE_TEMPLATE, invoice_pdf_context(invoice), variant=variant)


def render_credit_note_pdf(credit_note, *, variant: str | None = None) -> bytes:
    with translation.override(language_of(credit_note)):
        return render_pdf(CREDIT_NOTE_TEMPLATE, credit_note_pdf_context(credit_note),
                          variant=variant)
