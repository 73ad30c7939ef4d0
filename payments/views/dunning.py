"""The dunning page: today's steps (or, before today's run, what it would do), the history
(of one invoice when asked: billing's invoice page links here), the runs; finance can run
today's dunning."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.dates import business_date
from customers.selectors import pauses_in_force
from payments import selectors, services
from payments.models import DunningRunState
from payments.models.dunning import STEP_ACTIONS

PAGE_SIZE = 50


@permission_required("payments.view_dunningrun", raise_exception=True)
def dunning(request):
    today = business_date()
    invoice_id = request.GET.get("invoice", "")
    action = request.GET.get("action", "")
    events = selectors.dunning_events(
        invoice_id=int(invoice_id) if invoice_id.isdigit() else None, action=action)
    history = Paginator(events.exclude(taken_on=today), PAGE_SIZE).get_page(
        request.GET.get("page"))
    ran_today = selectors.dunning_ran_on(today)
    return render(request, "payments/dunning.html", {
        "today": today, "today_events": events.filter(taken_on=today),
        "preview": [] if ran_today or invoice_id else services.preview_dunning(on=today),
        "page_obj": history, "history": history.object_list,
        "runs": selectors.recent_dunning_runs(), "paused": pauses_in_force(today),
        "action": action, "invoice_id": invoice_id,
        "actions": STEP_ACTIONS, "can_run": request.user.has_perm("payments.run_dunning"),
        "can_send": request.user.has_perm("notifications.send_delivery")})


@require_POST
@permission_required("payments.run_dunning", raise_exception=True)
def dunning_run(request):
    run = services.run_dunning(by=request.user)
    if run.state == DunningRunState.COMPLETED:
        messages.success(request, f"{run} is complete: {run.steps_taken} steps taken over "
                                  f"{run.invoices_seen} invoices.")
    else:
        messages.success(request, f"{run} queued: its steps are taken in the background "
                                  "when a worker is available; reload to follow it.")
    return redirect("payments:dunning")


