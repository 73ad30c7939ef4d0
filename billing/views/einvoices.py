"""Downloads of e-invoices: the CII or UBL XML and the Factur-X PDF of an issued invoice or
credit note, each checked against the EN 16931 rules first; a document that breaks one goes back
to its page with the rules named (and kept on the document)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from billing.pdf import PdfUnavailable
from billing.selectors import credit_note_for_detail, invoices_visible_to
from billing.services import einvoicing

SYNTAXES = {"cii": "factur-x", "ubl": "ubl", "xrechnung": "xrechnung"}


def _refused(request, document, error, page):
    if isinstance(error, einvoicing.EInvoiceInvalid):
        einvoicing.record_findings(document, error.findings)
        rules = ", ".join(sorted({f.rule for f in error.findings}))
        messages.error(request, f"The e-invoice of {document} breaks EN 16931 ({rules}); "
                                "see the findings below.")
    else:
        messages.error(request, str(error))
    return redirect(*page)


def _download(request, document, page, *, syntax: str | None):
    try:
        if syntax is None:
            content, name = einvoicing.facturx_pdf(document), f"{document.number}.pdf"
            kind = "application/pdf"
        else:
            if syntax not in SYNTAXES:
                raise Http404("No such e-invoice syntax.")
            content = einvoicing.einvoice_xml(document, syntax)
            name, kind = f"{document.number}-{SYNTAXES[syntax]}.xml", "application/xml"
    except (einvoicing.EInvoiceInvalid, einvoicing.EInvoiceUnavailable, PdfUnavailable) as error:
        return _refused(request, document, error, page)
    einvoicing.record_findings(document, [])
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _invoice(request, pk):
    return get_object_or_404(invoices_visible_to(request.user).select_related(
        "account__payment_terms"), pk=pk)


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_xml(request, pk, syntax):
    invoice = _invoice(request, pk)
    return _download(request, invoice, ("billing:invoice", invoice.pk), syntax=syntax)


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_facturx(request, pk):
    invoice = _invoice(request, pk)
    return _download(request, invoice, ("billing:invoice", invoice.pk), syntax=None)


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_xml(request, pk, syntax):
    note = credit_note_for_detail(pk=pk, user=request.user)
    return _download(request, note, ("billing_documents:credit_note", note.pk), syntax=syntax)


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_facturx(request, pk):
    note = credit_note_for_detail(pk=pk, user=request.user)
    return _download(request, note, ("billing_documents:credit_note", note.pk), syntax=None)
