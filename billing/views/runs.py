"""Invoice run pages: start, preview, live progress, summary, resume, issue the drafts.

Each action is one service call (403 without the permission), followed by a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from billing import selectors
from billing.forms import RunForm
from billing.services.issuing import queue_issue_drafts_of_run
from billing.services.runs import create_invoice_run, preview_invoice_run, run_invoice_run
from billing.views import service_error
from core.transitions import allowed_transitions
from customers.selectors import pauses_in_force


@permission_required("billing.view_invoicerun", raise_exception=True)
def run_list(request):
    runs = selectors.runs_visible_to(request.user)
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    form = RunForm(request.POST or None, initial={"accounts": request.GET.get("accounts", "")})
    if request.method == "POST":
        if not request.user.has_perm("billing.start_invoice_run"):
            raise PermissionDenied
        if form.is_valid():
            try:
                run = create_invoice_run(by=request.user, **form.filters())
            except ValidationError as error:
                service_error(request, error)
            else:
                messages.success(request, f"Invoice run {run.pk} queued; it starts when a "
                                          "worker is available.")
                return redirect("billing:run", pk=run.pk)
    return render(request, "billing/runs.html", {"page_obj": page, "runs": page.object_list,
                                                 "form": form})


@permission_required("billing.start_invoice_run", raise_exception=True)
def run_preview(request):
    form = RunForm(request.GET or None)
    preview = None
    if form.is_valid():
        try:
            preview = preview_invoice_run(by=request.user, **form.filters())
        except ValidationError as error:
            service_error(request, error)
    return render(request, "billing/run_preview.html", {"form": form, "preview": preview})


@permission_required("billing.view_invoicerun", raise_exception=True)
def run_detail(request, pk):
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    allowed = allowed_transitions(run, request.user)
    context = {"run": run, "summary": selectors.run_summary(run),
               "failures": selectors.failures_of(run)[:200], "live": not run.is_finished,
               # a stalled pending run is started again by the same button
               "can_resume": "resume" in allowed or (run.is_stalled and "start" in allowed),
               "paused": pauses_in_force(run.as_of)}
    if request.htmx:
        return render(request, "billing/run_detail.html#progress", context)
    return render(request, "billing/run_detail.html", context)


@require_POST
@permission_required("billing.start_invoice_run", raise_exception=True)
def run_resume(request, pk):
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    try:
        run_invoice_run(run=run, by=request.user)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, f"Invoice run {run.pk} resumed: its unfinished chunks are "
                                  "queued again.")
    return redirect("billing:run", pk=run.pk)


@require_POST
@permission_required("billing.issue_invoice", raise_exception=True)
def run_issue_drafts(request, pk):
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    queue_issue_drafts_of_run(run=run, by=request.user)
    messages.success(request, f"Issuing the drafts of run {run.pk} is queued; it starts when a "
                              "worker is available, and the counts below show how far it got.")
    return redirect("billing:run", pk=run.pk)
