"""The dunning page: today's steps, the history, the runs; finance can run today's dunning."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.dates import business_date
from payments import services
from payments.models import DunningEvent, DunningRun

PAGE_SIZE = 50


@permission_required("payments.view_dunningrun", raise_exception=True)
def dunning(request):
    today = business_date()
    events = DunningEvent.objects.select_related("invoice", "account").order_by("-taken_on",
                                                                                "-pk")
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    history = Paginator(events.exclude(taken_on=today), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "payments/dunning.html", {
        "today": today, "today_events": events.filter(taken_on=today),
        "page_obj": history, "history": history.object_list,
        "runs": DunningRun.objects.all()[:10], "action": action,
        "actions": DunningEvent._meta.get_field("action").choices,
        "can_run": request.user.has_perm("payments.run_dunning")})


@require_POST
@permission_required("payments.run_dunning", raise_exception=True)
def dunning_run(request):
    run = services.run_dunning(by=request.user)
    messages.success(request, f"{run}: {run.steps_taken} steps taken over "
                              f"{run.invoices_seen} invoices.")
    return redirect("payments:dunning")
