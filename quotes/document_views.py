"""Staff pages of the quote document: preview and download the PDF (sending it is a q2c flow:
`q2c.views.quotes.send`).

A quote that has been sent shows its stored bytes (what the customer got); an unsent one is
rendered now. Each page first finds the quote through the one visibility rule.
"""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render

from quotes.pdf import PdfUnavailable, render_quote_pdf
from quotes.selectors import quote_for_detail


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
