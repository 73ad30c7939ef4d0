"""Send on an issued invoice's or credit note's page: email it now to the account's billing
contacts (the page shows each delivery's status, and Send again)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from billing.pdf import PdfUnavailable
from billing.selectors import credit_note_for_detail, invoices_visible_to
from billing.services.delivery import send_document


def _send(request, document, back: tuple):
    try:
        delivery = send_document(document, by=request.user,
                                 base_url=request.build_absolute_uri("/"))
    except (ValidationError, PdfUnavailable) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"{document} is being emailed to {', '.join(delivery.to)}.")
    return redirect(*back)


@require_POST
@permission_required("notifications.send_delivery", raise_exception=True)
def send_invoice(request, pk):
    invoice = get_object_or_404(invoices_visible_to(request.user).select_related("account"),
                                pk=pk)
    return _send(request, invoice, ("billing:invoice", invoice.pk))


@require_POST
@permission_required("notifications.send_delivery", raise_exception=True)
def send_credit_note(request, pk):
    note = credit_note_for_detail(pk=pk, user=request.user)
    return _send(request, note, ("billing_documents:credit_note", note.pk))
