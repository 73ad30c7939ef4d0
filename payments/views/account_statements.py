"""An account's statement page: the period, the PDF, Send by email (finance) and the
statements emailed so far; sales roles see the statements of the accounts they can see."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.services.delivery import billing_contacts
from core.dates import business_date
from customers.selectors import accounts_visible_to
from payments.forms import DsoForm
from payments.services.statement_mail import send_statement

STATEMENT_DAYS = 90  # the period shown by default, as the PDF's


def _page(request, account, form, status=200):
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        end = business_date()
        start = end - timedelta(days=STATEMENT_DAYS - 1)
    return render(request, "payments/statement.html", {
        "account": account, "form": form, "start": start, "end": end,
        "contacts": billing_contacts(account.pk),
        "can_send": request.user.has_perm("notifications.send_delivery")}, status=status)


@permission_required("payments.view_payment", raise_exception=True)
@require_GET
def statement(request, pk):
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    return _page(request, account, DsoForm(request.GET if "start" in request.GET else None))


@require_POST
@permission_required("notifications.send_delivery", raise_exception=True)
def statement_send(request, pk):
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    form = DsoForm(request.POST)
    if not form.is_valid():
        return _page(request, account, form, status=400)
    try:
        delivery = send_statement(account=account, start=form.cleaned_data["start"],
                                  end=form.cleaned_data["end"], by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, account, form, status=400)
    messages.success(request, f"Statement queued for {', '.join(delivery.to)}; its status "
                              "is below.")
    return redirect("payments:statement", pk=account.pk)
