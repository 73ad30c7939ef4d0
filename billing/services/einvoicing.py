"""E-invoices of issued documents: the CII or UBL XML (checked against the official EN 16931
rules before it leaves), the Factur-X PDF (PDF/A-3 with the CII attached), and what is attached
to the email by the account's choice. Nothing is sent that fails a fatal rule: the email waits,
and the document records the rules broken for finance to see.

A void invoice has no e-invoice: once voided it is never sent again (a credit note or the void
itself is what the customer's books need).
"""

from billing.einvoice import cii, ubl, validation
from billing.einvoice.documents import credit_note_document, invoice_document
from billing.einvoice.validation import EInvoiceInvalid
from billing.models import CreditNote, CreditNoteState, InvoiceState
from billing.pdf import language_of, render_credit_note_pdf, render_invoice_pdf
from customers.models import EInvoiceFormat

SENDABLE_INVOICE_STATES = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID,
                           InvoiceState.UNCOLLECTIBLE)
PDF_A = "pdf/a-3b"

__all__ = ["EInvoiceInvalid", "EInvoiceUnavailable", "attachments_for", "einvoice_xml",
           "facturx_pdf", "record_findings"]


class EInvoiceUnavailable(Exception):
    """A draft or a void invoice has no e-invoice."""


def _plain(document):
    if isinstance(document, CreditNote):
        if document.state != CreditNoteState.ISSUED:
            raise EInvoiceUnavailable(f"{document} is a draft: it has no e-invoice yet.")
        return credit_note_document(document)
    if document.state == InvoiceState.VOID:
        raise EInvoiceUnavailable(f"{document} is void: its e-invoice is never sent again.")
    if document.state not in SENDABLE_INVOICE_STATES:
        raise EInvoiceUnavailable(f"{document} is a draft: it has no e-invoice yet.")
    return invoice_document(document)


def einvoice_xml(document, syntax: str) -> bytes:
    """The document's CII ("cii"), UBL ("ubl": Peppol BIS Billing 3.0 when both parties are on
    Peppol) or UBL as XRechnung ("xrechnung") XML, checked: EInvoiceInvalid names each fatal
    rule it breaks."""
    plain = _plain(document)
    if syntax == "cii":
        return validation.check(cii.cii_xml(plain), "cii")
    customization = ubl.XRECHNUNG if syntax == "xrechnung" else ""
    return validation.check(ubl.ubl_xml(plain, customization=customization), "ubl")


def facturx_pdf(document) -> bytes:
    """The document's PDF as PDF/A-3b with its checked CII attached as factur-x.xml
    (AFRelationship Data, Factur-X EN 16931 XMP), through the factur-x library."""
    import facturx

    xml = einvoice_xml(document, "cii")
    render = render_credit_note_pdf if isinstance(document, CreditNote) else render_invoice_pdf
    pdf = render(document, variant=PDF_A)
    label = "Credit note" if isinstance(document, CreditNote) else "Invoice"
    seller = (document.seller or {}).get("name") or (document.seller or {}).get("legal_name", "")
    metadata = {"author": seller, "keywords": "Factur-X, " + label,
                "title": f"{seller}: {label} {document.number}",
                "subject": f"{label} {document.number} dated {document.issue_on} issued by "
                           f"{seller}"}
    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931",
                                        check_xsd=False, pdf_metadata=metadata,
                                        lang=language_of(document))


def attachments_for(document, pdf: bytes) -> list[tuple[str, bytes, str]]:
    """What the email carries by the account's choice: the PDF, the Factur-X PDF in its place,
    or the PDF and the UBL XML (Peppol BIS or XRechnung). Raises EInvoiceInvalid when the
    e-invoice breaks a rule."""
    chosen = document.account.einvoice_format
    if chosen == EInvoiceFormat.FACTURX:
        return [(f"{document.number}.pdf", facturx_pdf(document), "application/pdf")]
    files = [(f"{document.number}.pdf", pdf, "application/pdf")]
    if chosen in (EInvoiceFormat.UBL, EInvoiceFormat.XRECHNUNG):
        files.append((f"{document.number}.xml", einvoice_xml(document, chosen),
                      "application/xml"))
    return files


def record_findings(document, findings) -> None:
    """Keep the rules the e-invoice broke (or none) on the document, for its page."""
    rows = [{"rule": f.rule, "flag": f.flag, "location": f.location, "text": f.text}
            for f in findings]
    if rows != document.einvoice_findings:
        type(document).objects.filter(pk=document.pk).update(einvoice_findings=rows)
        document.einvoice_findings = rows
