"""The customer portal: pages a customer opens from a signed link, without logging in.

The valid link is the permission (`quotes.services.sending.quote_for_link`); a link that
cannot be used gets a page saying why, never an error page. Answers go through `q2c.flows`.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from q2c import flows
from q2c.journey import journey
from quotes.models import QuoteState
from quotes.selectors import lines_of
from quotes.services.sending import LinkProblem, quote_for_link


class AcceptForm(forms.Form):
    name = forms.CharField(label="Your full name", max_length=200)
    title = forms.CharField(label="Your job title", max_length=200)
    consent = forms.BooleanField(
        label="I have read this quote and accept it on behalf of the customer.",
        error_messages={"required": "Tick the box to confirm you accept this quote."})


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Why are you declining?", widget=forms.Textarea(attrs={
        "rows": 3}), max_length=2000)


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind our proxy, the last X-Forwarded-For entry (the one it added)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _problem(request, problem: LinkProblem):
    return render(request, "portal/link_problem.html", {"problem": problem,
                                                   "company_email": settings.COMPANY_EMAIL},
                  status=problem.status)


def _quote_page(request, token, quote, *, accept_form=None, decline_form=None, status=200):
    return render(request, "portal/quote.html", {
        "token": token, "quote": quote, "lines": lines_of(quote),
        "accept_form": accept_form or AcceptForm(), "decline_form": decline_form or DeclineForm(),
    }, status=status)


@login_not_required
@require_GET
def quote_view(request, token):
    try:
        quote = quote_for_link(token)
    except LinkProblem as problem:
        if problem.kind == "used":  # answered: where the deal stands now, not an error
            return _answered(request, problem.document)
        return _problem(request, problem)
    return _quote_page(request, token, quote)


@login_not_required
@require_GET
@xframe_options_sameorigin
def quote_pdf(request, token):
    """The exact bytes that were sent (their SHA-256 is what an acceptance records)."""
    try:
        quote = quote_for_link(token)
    except LinkProblem as problem:
        return _problem(request, problem)
    response = HttpResponse(bytes(quote.sent_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}-v{quote.version}.pdf"'
    return response


def _answered(request, quote):
    """Thanks for the answer and, for an accepted quote, the steps of the deal since."""
    steps = journey(quote=quote) if quote.state == QuoteState.ACCEPTED else None
    return render(request, "portal/answered.html", {"quote": quote, "steps": steps})


def _form_with_errors(form, error: ValidationError):
    for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(field if field in form.fields else None, messages)
    return form


@login_not_required
@require_POST
def quote_accept(request, token):
    form = AcceptForm(request.POST)
    try:
        quote = quote_for_link(token)
        if form.is_valid():
            quote = flows.accept_quote_flow(
                token=token, signer_name=form.cleaned_data["name"],
                signer_title=form.cleaned_data["title"], consent=form.cleaned_data["consent"],
                ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
            return _answered(request, quote)
    except LinkProblem as problem:
        return _problem(request, problem)
    except ValidationError as error:
        _form_with_errors(form, error)
    return _quote_page(request, token, quote, accept_form=form, status=400)


@login_not_required
@require_POST
def quote_decline(request, token):
    form = DeclineForm(request.POST)
    try:
        quote = quote_for_link(token)
        if form.is_valid():
            quote = flows.decline_quote_flow(token=token, reason=form.cleaned_data["reason"],
                                             ip=client_ip(request))
            return _answered(request, quote)
    except LinkProblem as problem:
        return _problem(request, problem)
    except ValidationError as error:
        _form_with_errors(form, error)
    return _quote_page(request, token, quote, decline_form=form, status=400)
