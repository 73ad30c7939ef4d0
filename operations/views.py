"""The operations page (queue, workers, stalled runs, outbox, beat) and the schedule page where
finance sets what beat's runs do."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from operations import selectors, services
from operations.forms import ScheduleForm


@permission_required("operations.view_operations", raise_exception=True)
def dashboard(request):
    return render(request, "operations/dashboard.html", {
        "broker": selectors.broker(with_workers=True), "beat": selectors.beat(),
        "stalled": selectors.stalled_runs(), "outbox": selectors.outbox_backlog(),
        "undelivered": selectors.undelivered()})


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
