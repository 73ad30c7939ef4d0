"""Order list and detail, finance's credit hold queue, and the actions on an order.

Pages read through `orders_visible_to` (404 for orders one may not see); each action checks its
permission (403 without it) and calls one service, then says what happened.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.redirects import safe_next
from core.transitions import allowed_transitions
from orders import selectors, services
from orders.filters import OrderFilter
from orders.forms import FulfilmentForm, NoteForm
from orders.services.fulfilment import ensure_fulfillable

PAGE_SIZE = 25


@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    visible = selectors.orders_visible_to(request.user)
    order_filter = OrderFilter(request.GET or None, visible=visible)
    page = Paginator(order_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/list.html", {
        "filter": order_filter, "page_obj": page, "orders": page.object_list})


def _actions(order, user) -> dict[str, bool]:
    allowed = allowed_transitions(order, user)
    return {"can_release": "release" in allowed, "can_cancel": "cancel" in allowed,
            "can_fulfil": not allowed.isdisjoint({"fulfil", "fulfil_partially"}),
            "can_close": "close" in allowed}


def _detail(request, order, *, fulfilment_form=None, status=200):
    lines = list(selectors.lines_of(order))
    actions = _actions(order, request.user)
    if actions["can_fulfil"] and fulfilment_form is None:
        fulfilment_form = FulfilmentForm(lines=lines)
    rows = fulfilment_form.rows(lines) if fulfilment_form else [(line, None) for line in lines]
    return render(request, "orders/detail.html", {
        "order": order, "rows": rows, "fulfilments": selectors.fulfilments_of(order),
        "fulfilment_form": fulfilment_form, "note_form": NoteForm(), **actions,
    }, status=status)


@permission_required("orders.view_order", raise_exception=True)
def order_detail(request, pk):
    return _detail(request, selectors.order_for_detail(pk=pk, user=request.user))


@permission_required("orders.release_order", raise_exception=True)
def credit_holds(request):
    queue = selectors.credit_hold_queue(request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/credit_holds.html", {
        "page_obj": page, "orders": page.object_list, "note_form": NoteForm(),
        "can_cancel": request.user.has_perm("orders.cancel_order")})


def _back(request, order):
    return redirect(safe_next(request, reverse("orders:detail", args=[order.pk])))


def _answer(request, order, level: str, text: str):
    """From the hold queue (htmx) the order's card becomes the outcome, so finance works down
    the queue without reloading; else a message and back to where the form was."""
    if request.htmx:
        return render(request, "orders/credit_holds.html#outcome",
                      {"order": order, "level": level, "text": text})
    getattr(messages, level)(request, text)
    return _back(request, order)


def _act(request, pk, service, done: str, **kwargs):
    order = selectors.order_for_detail(pk=pk, user=request.user)
    try:
        order = service(order=order, by=request.user, **kwargs)
    except ValidationError as error:
        return _answer(request, order, "error", " ".join(error.messages))
    return _answer(request, order, "success", done.format(order=order))


def _with_note(request, pk, service, done: str):
    form = NoteForm(request.POST)
    if not form.is_valid():
        order = selectors.order_for_detail(pk=pk, user=request.user)
        return _answer(request, order, "error", "Write a note saying why.")
    return _act(request, pk, service, done, note=form.cleaned_data["note"])


@require_POST
@permission_required("orders.release_order", raise_exception=True)
def order_release(request, pk):
    return _with_note(request, pk, services.release_order,
                      "Order {order} released from credit hold: it can be fulfilled.")


@require_POST
@permission_required("orders.cancel_order", raise_exception=True)
def order_cancel(request, pk):
    return _with_note(request, pk, services.cancel_order, "Order {order} cancelled.")


@require_POST
@permission_required("orders.close_order", raise_exception=True)
def order_close(request, pk):
    return _act(request, pk, services.close_order, "Order {order} closed.")


@require_POST
@permission_required("orders.fulfil_order", raise_exception=True)
def order_fulfil(request, pk):
    order = selectors.order_for_detail(pk=pk, user=request.user)
    try:
        ensure_fulfillable(order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("orders:detail", pk=order.pk)
    form = FulfilmentForm(request.POST, lines=list(selectors.lines_of(order)))
    if form.is_valid():
        try:
            order = services.fulfil_lines(order=order, by=request.user,
                                          quantities=form.quantities(),
                                          on=form.cleaned_data["on"],
                                          note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Order {order} is {order.get_state_display().lower()}.")
            return redirect("orders:detail", pk=order.pk)
    return _detail(request, order, fulfilment_form=form, status=400)
