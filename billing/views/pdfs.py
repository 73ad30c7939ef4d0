"""Downloads of the kept PDFs (invoices and credit notes): rendered and stored on the first
download if the background task has not done it yet; the stored bytes afterwards."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from billing.pdf import PdfUnavailable
from billing.selectors import invoices_visible_to
from billing.services.documents import DocumentNotIssued, stored_pdf


def pdf_response(request, document, *, fallback: tuple):
    try:
        pdf = stored_pdf(document)
    except (PdfUnavailable, DocumentNotIssued) as error:
        messages.error(request, str(error))
        return redirect(*fallback)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.number}.pdf"'
    response["X-Content-SHA256"] = document.pdf_sha256
    return response


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_pdf(request, pk):
    invoice = get_object_or_404(invoices_visible_to(request.user).select_related(
        "account__payment_terms"), pk=pk)
    return pdf_response(request, invoice, fallback=("billing:invoice", invoice.pk))
