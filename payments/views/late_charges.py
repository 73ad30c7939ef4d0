"""Late charges (fees and interest issued by dunning): the list, a charge's page with its
computation, payments and timeline, its PDF, and finance's waiver; and "apply in order" on a
payment (the account's country decides whether costs and interest come first)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.formatting import format_money
from core.forms import add_service_errors
from core.pagination import keyset_page
from core.pdf import PdfUnavailable
from core.transitions import allowed_transitions
from payments import selectors
from payments.forms import WaiveForm
from payments.models import LateChargeState
from payments.pdf import render_late_charge_pdf
from payments.services.clearing import apply_in_order
from payments.services.late_charges import late_charge_summary, waive_late_charge

PAGE_SIZE = 25


@permission_required("payments.view_latecharge", raise_exception=True)
def late_charge_list(request):
    charges = selectors.late_charges_visible_to(request.user).order_by("-issue_on", "-pk")
    state = request.GET.get("state", "")
    if state in LateChargeState.values:
        charges = charges.filter(state=state)
    page = keyset_page(charges, request.GET, default_size=PAGE_SIZE)
    return render(request, "payments/late_charges.html", {
        "page_obj": page, "charges": page.object_list, "state": state,
        "states": LateChargeState.choices})


def _detail(request, charge, form, status=200):
    return render(request, "payments/late_charge.html", {
        "charge": charge, "slices": late_charge_summary(charge), "form": form,
        "paid": charge.payments.select_related("payment"),
        "can_waive": "waive" in allowed_transitions(charge, request.user)},
        status=status)


@permission_required("payments.view_latecharge", raise_exception=True)
def late_charge_detail(request, pk):
    charge = selectors.late_charge_for_detail(pk=pk, user=request.user)
    return _detail(request, charge, WaiveForm())


@permission_required("payments.view_latecharge", raise_exception=True)
def late_charge_pdf(request, pk):
    charge = selectors.late_charge_for_detail(pk=pk, user=request.user)
    try:
        pdf = render_late_charge_pdf(charge)
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{charge.number}.pdf"'
    return response


@require_POST
@permission_required("payments.waive_late_charge", raise_exception=True)
def late_charge_waive(request, pk):
    charge = selectors.late_charge_for_detail(pk=pk, user=request.user)
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            charge = waive_late_charge(charge=charge, reason=form.cleaned_data["reason"],
                                       by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{charge} waived; its entry is reversed.")
            return redirect("payments:late_charge", pk=charge.pk)
    return _detail(request, charge, form, status=400)


@require_POST
@permission_required("payments.allocate_payment", raise_exception=True)
def payment_apply_in_order(request, pk):
    payment = selectors.payment_for_detail(pk=pk, user=request.user)
    try:
        payment = apply_in_order(payment=payment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{payment} applied in order; "
                                  f"{format_money(payment.unapplied, payment.currency)} left.")
    return redirect("payments:detail", pk=payment.pk)
