"""The inbox (each user's own), the outbox (every email sent, for admins and finance) and
Send again on a delivery."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.redirects import safe_next
from notifications import selectors, services
from notifications.models import Delivery, DeliveryState

PAGE_SIZE = 50


@login_required
def inbox(request):
    page = Paginator(selectors.inbox_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page_obj": page,
                                                        "notifications": page.object_list})


@require_POST
@login_required
def mark_read(request):
    ids = [int(pk) for pk in request.POST.getlist("id") if pk.isdigit()] or None
    services.mark_read(user=request.user, ids=ids)
    return redirect("notifications:inbox")


@login_required
def open_notification(request, pk):
    """Mark one of the user's own notifications read and go to its document."""
    note = get_object_or_404(selectors.inbox_of(request.user), pk=pk)
    services.mark_read(user=request.user, ids=[note.pk])
    return redirect(safe_next(request, reverse("notifications:inbox"), url=note.url))


@permission_required("notifications.view_outbox", raise_exception=True)
def outbox(request):
    state = request.GET.get("state", "")
    page = Paginator(selectors.outbox(state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {
        "page_obj": page, "deliveries": page.object_list, "state": state,
        "states": DeliveryState.choices})


@require_POST
@permission_required("notifications.send_delivery", raise_exception=True)
def send_again(request, pk):
    delivery = get_object_or_404(Delivery, pk=pk)
    again = services.send_again(delivery=delivery, by=request.user)
    again.refresh_from_db()
    messages.success(request, f"Sent again to {', '.join(again.to)}: {again.get_state_display()}"
                              f"{': ' + again.failure_reason if again.failure_reason else ''}.")
    return redirect(safe_next(request, reverse("notifications:outbox")))
