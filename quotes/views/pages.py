"""Quote list, create, header, the detail page (a draft its owner may change opens in the
builder, quotes.views.builder), the deal desk preview, decisions and the approvals queue."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.redirects import safe_next
from notifications.selectors import deliveries_of
from quotes import approval_rules, selectors, services
from quotes.actions import quote_actions
from quotes.filters import QuoteFilter
from quotes.forms import (
    DecisionForm,
    QuoteForm,
    RejectForm,
    add_service_errors,
)
from quotes.models import QuoteState
from quotes.views.builder import lines_page, messages_of, render_builder

PAGE_SIZE = 25


@permission_required("quotes.view_quote", raise_exception=True)
def quote_list(request):
    visible = selectors.quotes_visible_to(request.user)
    quote_filter = QuoteFilter(request.GET or None, visible=visible, user=request.user)
    page = Paginator(quote_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quotes/list.html", {
        "filter": quote_filter, "page_obj": page, "quotes": page.object_list})


@permission_required("quotes.add_quote", raise_exception=True)
def quote_create(request):
    form = QuoteForm(request.POST or None, user=request.user,
                     initial={"account": request.GET.get("account")})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.service_fields().items() if v not in (None, "")}
        template = form.cleaned_data.get("template")
        try:
            quote = (services.create_quote_from_template(template=template, by=request.user,
                                                         **fields) if template
                     else services.create_quote(by=request.user, **fields))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Quote {quote} created: add its lines.")
            return redirect("quotes:builder", pk=quote.pk)
    return render(request, "quotes/form.html", {"form": form, "quote": None})


@permission_required("quotes.change_quote", raise_exception=True)
def quote_edit(request, pk):
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    # The form edits a copy: on an error the page's header keeps the quote as stored.
    form = QuoteForm(request.POST or None, instance=copy.copy(quote), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.update_quote(quote=quote, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Quote {quote} saved.")
            return redirect("quotes:builder", pk=quote.pk)
    return render(request, "quotes/form.html", {"form": form, "quote": quote})


@permission_required("quotes.view_quote", raise_exception=True)
def quote_detail(request, pk):
    """A draft its owner may change opens in the builder; any other quote shows read-only."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    actions = quote_actions(quote, request.user)
    if actions.edit:
        return render_builder(request, quote, actions=actions)
    requests = list(selectors.approval_requests_of(quote))
    page_obj = lines_page(request, quote)
    page_obj.object_list = selectors.with_section_starts(
        list(page_obj.object_list), selectors.section_subtotals(quote))
    return render(request, "quotes/detail.html", {
        "quote": quote, "page_obj": page_obj, "requests": requests,
        "deliveries": list(deliveries_of(quote)),
        "diff": selectors.diff_against_previous(quote), "actions": actions,
        "coupons": list(selectors.coupons_of(quote)),
        "decision_form": DecisionForm(), "reject_form": RejectForm()})


def _act(request, pk, action, success: str):
    """Run one service on a visible quote; the message says what happened."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    try:
        result = action(quote)
    except ValidationError as error:
        messages.error(request, messages_of(error))
        return quote
    except PermissionDenied as error:
        messages.error(request, str(error) or "You are not allowed to do that.")
        return quote
    messages.success(request, success.format(quote=result))
    return result


@require_POST
@permission_required("quotes.submit_quote", raise_exception=True)
def quote_submit(request, pk):
    quote = _act(request, pk, lambda q: services.submit_for_approval(quote=q, by=request.user),
                 "Quote {quote} submitted.")
    if quote.state == QuoteState.APPROVED:
        messages.info(request, "No approval rule applies: it is approved and can be sent.")
    elif quote.state == QuoteState.PENDING_APPROVAL:
        messages.info(request, "It needs approval; the approvers have it in their queue.")
    return redirect("quotes:detail", pk=pk)


@require_POST
@permission_required("quotes.send_quote", raise_exception=True)
def quote_send_again(request, pk):
    """The rep sends a sent quote's failed email again; the page shows the new delivery."""
    _act(request, pk, lambda q: services.send_quote_again(quote=q, by=request.user),
         "The quote's email is queued again to {quote.to[0]}.")
    return redirect("quotes:detail", pk=pk)


def _decision(request, pk, form_class, service, success):
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the quote is rejected.")
    else:
        _act(request, pk, lambda q: service(quote=q, by=request.user,
                                            comment=form.cleaned_data["comment"]), success)
    return redirect(safe_next(request, reverse("quotes:detail", args=[pk])))


@require_POST
@permission_required("quotes.approve_quote", raise_exception=True)
def quote_approve(request, pk):
    return _decision(request, pk, DecisionForm, services.approve, "Quote {quote} approved.")


@require_POST
@permission_required("quotes.approve_quote", raise_exception=True)
def quote_reject(request, pk):
    return _decision(request, pk, RejectForm, services.reject,
                     "Quote {quote} rejected and sent back to its owner.")


@require_POST
@permission_required("quotes.add_quote", raise_exception=True)
def quote_clone(request, pk):
    quote = _act(request, pk, lambda q: services.clone_quote(quote=q, by=request.user),
                 "Cloned into {quote}.")
    return redirect("quotes:detail", pk=quote.pk)


@require_POST
@permission_required("quotes.revise_quote", raise_exception=True)
def quote_revise(request, pk):
    quote = _act(request, pk, lambda q: services.revise_quote(quote=q, by=request.user),
                 "Version {quote.version} of {quote.number} created as a draft.")
    return redirect("quotes:detail", pk=quote.pk)


@permission_required("quotes.view_quote", raise_exception=True)
def deal_desk(request, pk):
    """htmx: the deal desk preview of a quote as it stands (billing, revenue by month, cash,
    margin), loaded after the page and again whenever a line changes."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    desk = selectors.deal_desk_preview(quote)
    facts = selectors.quote_facts_for([quote])[quote.pk]
    return render(request, "quotes/builder.html#deal_desk", {
        "quote": quote, "desk": desk, "months": desk.months(),
        "first_year_billing": desk.first_year_billing(quote.start_on),
        "first_year_cash": desk.first_year_cash(quote.start_on),
        "deferred": desk.revenue_after_first_year(quote.start_on),
        "facts": facts, "margin": approval_rules.margin_of(facts)})


def approval_cards(requests) -> list[dict]:
    """Each request with what the approver weighs: the quote's facts and its margin."""
    requests = list(requests)
    facts = selectors.quote_facts_for({r.quote_id: r.quote for r in requests}.values())
    return [{"request": r, "quote": r.quote, "facts": facts[r.quote_id],
             "margin": approval_rules.margin_of(facts[r.quote_id])} for r in requests]


@permission_required("quotes.approve_quote", raise_exception=True)
def approvals(request):
    queue = selectors.approvals_queue(request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quotes/approvals.html", {
        "page_obj": page, "cards": approval_cards(page.object_list)})
