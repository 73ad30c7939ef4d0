"""Staff pages of the quote document: preview and download the PDF, send it to the customer.

A quote that has been sent shows its stored bytes (what the customer got); an unsent one is
rendered now. Each page first finds the quote through the one visibility rule.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from quotes.pdf import PdfUnavailable, render_quote_pdf
from quotes.selectors import quote_for_detail
from quotes.services.sending import send_quote


def _pdf_response(request, pk, disposition: str):
    quote = quote_for_detail(pk=pk, user=request.user)
    try:
        pdf = bytes(quote.sent_pdf) if quote.sent_pdf else render_quote_pdf(quote)
    except PdfUnavailable as error:
        return render(request, "quotes/pdf/unavailable.html",
                      {"quote": quote, "message": str(error)}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'{disposition}; filename="{quote.number}-v{quote.version}.pdf"')
    return response


@permission_required("quotes.view_quote", raise_exception=True)
def preview(request, pk):
    return _pdf_response(request, pk, "inline")


@permission_required("quotes.view_quote", raise_exception=True)
def download(request, pk):
    return _pdf_response(request, pk, "attachment")


@require_POST
@permission_required("quotes.send_quote", raise_exception=True)
def send(request, pk):
    quote = quote_for_detail(pk=pk, user=request.user)
    try:
        quote = send_quote(quote=quote, by=request.user,
                           base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as error:
        return render(request, "quotes/pdf/unavailable.html",
                      {"quote": quote, "message": str(error)}, status=503)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, f"Quote {quote} sent to {quote.contact.email}.")
    return redirect("quotes:detail", pk=quote.pk)
