"""Sending a quote: a q2c flow, because an amendment quote goes out as contracts' amendment
document (`q2c.flows.send_quote_flow`)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from q2c import flows
from quotes.pdf import PdfUnavailable
from quotes.selectors import quote_for_detail


@require_POST
@permission_required("quotes.send_quote", raise_exception=True)
def send(request, pk):
    quote = quote_for_detail(pk=pk, user=request.user)
    try:
        quote = flows.send_quote_flow(quote=quote, by=request.user,
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
