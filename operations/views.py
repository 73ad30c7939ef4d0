"""The operations page (queue, workers, stalled and refused runs, outbox, beat), the schedule
page where finance sets what beat's runs do, and the refused runs' Dismiss and Retry."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.redirects import safe_next
from operations import selectors, services
from operations.forms import DismissRefusalForm, ScheduleForm
from operations.models import RunRefusal


@permission_required("operations.view_operations", raise_exception=True)
def dashboard(request):
    return render(request, "operations/dashboard.html", {
        "broker": selectors.broker(with_workers=True), "beat": selectors.beat(),
        "stalled": selectors.stalled_runs(), "outbox": selectors.outbox_backlog(),
        "undelivered": selectors.undelivered(), "refused_runs": selectors.refused_run_alerts(),
        "closed_refusals": selectors.closed_refusals()})


@permission_required("operations.view_schedulesettings", raise_exception=True)
def schedule(request):
    current = services.schedule_settings()
    form = ScheduleForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not request.user.has_perm("operations.change_schedulesettings"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.update_schedule(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The scheduled runs are updated.")
                return redirect("operations:schedule")
    return render(request, "operations/schedule.html", {
        "form": form, "settings": current, "next_invoice_run": services.next_invoice_run_on(),
        "can_change": request.user.has_perm("operations.change_schedulesettings")})


def _back(request):
    return redirect(safe_next(request, reverse("operations:dashboard")))


@permission_required("operations.dismiss_runrefusal", raise_exception=True)
@require_POST
def dismiss_refusal(request, pk):
    refusal = get_object_or_404(RunRefusal, pk=pk)
    form = DismissRefusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])))
        return _back(request)
    try:
        services.dismiss_refusal(refusal_id=refusal.pk, by=request.user,
                                 note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The alert of the {refusal} is dismissed.")
    return _back(request)


@permission_required("operations.resolve_runrefusal", raise_exception=True)
@require_POST
def retry_refusal(request, pk):
    refusal = get_object_or_404(RunRefusal, pk=pk)
    try:
        run = services.retry_refused_run(refusal_id=refusal.pk, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request)
    if run is None:
        refusal.refresh_from_db()
        messages.error(request, f"Refused again: {refusal.reason}")
    else:
        messages.success(request, f"{services.run_label(run)} started.")
    return _back(request)
