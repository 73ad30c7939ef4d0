"""The customer portal: pages a customer opens from a signed link, without logging in.

The valid link is the permission (`quotes.services.sending.quote_for_link` for a quote,
`account_for_link` for an account's documents); a link that cannot be used gets a page saying
why, never an error page. Answers go through `q2c.flows`.

An account's link opens its documents: issued invoices (with their PDFs and, while open, their
pay links), credit notes, the statement and where its latest deal stands. It names one account,
signed, so it opens that account's documents and no other's. Customers who take documents
"portal only" get it from finance (`account_link`: shown, or emailed to the billing contacts);
every pay page links to it too, the pay link being a link of the same customer.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.models import CreditNote, CreditNoteState, Invoice
from billing.services.delivery import billing_contacts
from billing.services.documents import ISSUED_INVOICE_STATES, stored_pdf
from billing.services.pay_links import pay_link_urls
from core.dates import business_date
from core.forms import add_service_errors
from core.pagination import keyset_page
from core.signed_links import link_token, link_url, read_link, unknown_link
from customers.models import Account
from customers.selectors import accounts_visible_to
from notifications.models import Delivery
from notifications.services import SEND_PERMISSION, queue_delivery
from payments.pdf import render_statement_pdf
from q2c import flows
from q2c.journey import journey
from quotes.models import Quote, QuoteState
from quotes.selectors import lines_of
from quotes.services.sending import LinkProblem, quote_for_link

ACCOUNT_LINK_SALT = "q2c.portal.account"
ACCOUNT_LINK_DAYS = 180  # finance sends a fresh link when one runs out
DOCUMENT_LISTS = {"invoices": "Invoices", "credit_notes": "Credit notes"}
PAGE_SIZE = 25
STATEMENT_DAYS = 90  # the period of the statement PDF, as the statement page's default


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


def _problem(request, problem: LinkProblem, *, about: str = "quote"):
    return render(request, "portal/link_problem.html", {
        "problem": problem, "about": about, "company_email": settings.COMPANY_EMAIL},
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
        add_service_errors(form, error)
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
        add_service_errors(form, error)
    return _quote_page(request, token, quote, decline_form=form, status=400)


# An account's documents ------------------------------------------------------------------

def account_link_token(account: Account) -> str:
    return link_token({"a": account.pk}, salt=ACCOUNT_LINK_SALT)


def account_link_url(account: Account, base_url: str | None = None) -> str:
    """From the request's host when a page sends it, else SITE_URL (tasks)."""
    return link_url("portal:account", account_link_token(account), base_url)


def account_for_link(token: str) -> Account:
    """The account a link names, or `LinkProblem` saying why the link cannot be used."""
    (pk,) = read_link(token, salt=ACCOUNT_LINK_SALT, keys=("a",), max_age_days=ACCOUNT_LINK_DAYS,
                      expired="This link to your documents has expired. Please ask us for a "
                              "new one.")
    account = Account.objects.filter(pk=pk).first()
    if account is None:
        raise unknown_link()
    return account


def issued_invoices_of(account: Account):
    return Invoice.objects.filter(account=account, state__in=ISSUED_INVOICE_STATES)


def issued_credit_notes_of(account: Account):
    return (CreditNote.objects.filter(account=account, state=CreditNoteState.ISSUED)
            .select_related("invoice"))


def latest_deal_steps(account: Account):
    """Where the account's latest accepted quote stands (None without one): three queries."""
    quote = (Quote.objects.filter(account=account, state=QuoteState.ACCEPTED)
             .order_by(F("decided_at").desc(nulls_last=True), "-pk").first())
    return journey(quote=quote) if quote is not None else None


def _account_or_problem(request, token):
    try:
        return account_for_link(token), None
    except LinkProblem as problem:
        return None, _problem(request, problem, about="account")


@login_not_required
@require_GET
def account_documents(request, token):
    """One page of the account's invoices (or credit notes, `?list=credit_notes`), newest
    first: a constant handful of queries whatever the number of documents."""
    account, problem = _account_or_problem(request, token)
    if problem:
        return problem
    shown = request.GET.get("list", "")
    shown = shown if shown in DOCUMENT_LISTS else "invoices"
    documents = (issued_invoices_of(account) if shown == "invoices"
                 else issued_credit_notes_of(account))
    page = keyset_page(documents, request.GET, default_size=PAGE_SIZE, ordering=["-pk"])
    pay_url = pay_link_urls(request.build_absolute_uri("/"))
    rows = [(document, pay_url(document.pk, document.number)
             if shown == "invoices" and document.is_open and document.amount_due > 0 else "")
            for document in page]
    return render(request, "portal/account.html", {
        "account": account, "token": token, "shown": shown, "lists": DOCUMENT_LISTS,
        "shown_label": DOCUMENT_LISTS[shown],
        "rows": rows, "page_obj": page, "steps": latest_deal_steps(account)})


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_not_required
@require_GET
@xframe_options_sameorigin
def account_document_pdf(request, token, pk, kind):
    """An issued invoice's or credit note's kept PDF, if it is the account's."""
    account, problem = _account_or_problem(request, token)
    if problem:
        return problem
    documents = issued_invoices_of(account) if kind == "invoice" else issued_credit_notes_of(
        account)
    document = documents.filter(pk=pk).first()
    if document is None:
        raise Http404("No such document of this account.")
    return _pdf(stored_pdf(document), f"{document.number}.pdf")


@login_not_required
@require_GET
@xframe_options_sameorigin
def account_statement_pdf(request, token):
    """The account's statement of the last STATEMENT_DAYS days, as of today."""
    account, problem = _account_or_problem(request, token)
    if problem:
        return problem
    end = business_date()
    pdf = render_statement_pdf(account, start=end - timedelta(days=STATEMENT_DAYS - 1), end=end)
    return _pdf(pdf, f"statement-{account.pk}-{end}.pdf")


@transaction.atomic
def send_account_link(*, account: Account, by, base_url: str | None = None) -> Delivery:
    """Email the account's billing contacts the link to its documents (after commit)."""
    contacts = billing_contacts(account.pk)
    if not contacts:
        raise ValidationError(f"{account} has no billing contact with an email address.")
    body = render_to_string("portal/email/account_link.txt", {
        "account": account, "contact": contacts[0], "url": account_link_url(account, base_url),
        "days": ACCOUNT_LINK_DAYS, "company_name": settings.COMPANY_NAME})
    return queue_delivery(document=account, to=[c.email for c in contacts],
                          subject=f"Your invoices and documents from {settings.COMPANY_NAME}",
                          body=body, by=by)


@permission_required(SEND_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_link(request, pk):
    """Finance's page of an account's portal link: the link to hand over, and Send to email
    it to the billing contacts (the way a "portal only" customer first gets it)."""
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    base_url = request.build_absolute_uri("/")
    error = ""
    if request.method == "POST":
        try:
            delivery = send_account_link(account=account, by=request.user, base_url=base_url)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            flash.success(request, f"Link to the documents queued for {', '.join(delivery.to)}.")
            return redirect("portal:account_link", pk=account.pk)
    return render(request, "portal/account_link.html", {
        "account": account, "url": account_link_url(account, base_url), "error": error,
        "contacts": billing_contacts(account.pk), "days": ACCOUNT_LINK_DAYS},
        status=400 if error else 200)
