"""The customer pays an invoice by card through a signed link, without logging in.

The card fields post straight to the gateway's tokenizing endpoint (the sandbox's, as a real
gateway's hosted fields would), which sends the browser back here with a token: these views
never receive a card number. A link that cannot be used gets a page saying why.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from billing.services.documents import stored_pdf
from core.actors import Actor
from core.dates import business_date
from payments.gateways import gateway
from payments.models import PaymentState
from payments.selectors import credit_balance, early_discount, to_pay
from payments.services import LinkProblem, invoice_for_pay_link, pay_invoice_by_card
from q2c.portal import account_link_token, client_ip

# What the gateway's refusal codes mean, in our words; anything else gets the general one.
CARD_ERRORS = {
    "invalid_number": "The card number is not valid.",
    "invalid_cvc": "The security code is not valid.",
    "expired": "The expiry date is in the past.",
    "invalid_expiry": "Check the expiry date.",
    "unsupported_card": "This card cannot be used here; try another card.",
}
CARD_REFUSED = "The card was refused. Check the details and try again."


class PayForm(forms.Form):
    card_token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="Name on the card", max_length=200)
    save = forms.BooleanField(label="Charge this card automatically for future invoices",
                              required=False)


def _problem(request, problem: LinkProblem):
    return render(request, "pay/link_problem.html", {
        "problem": problem, "company_email": settings.COMPANY_EMAIL}, status=problem.status)


def _page(request, invoice, token, *, card_error: str = "", status: int = 200):
    offer = early_discount(invoice, business_date())
    return render(request, "pay/invoice.html", {
        "invoice": invoice, "token": token, "lines": invoice.lines.order_by("position"),
        "offer": offer, "to_pay": to_pay(invoice, offer),
        "card_error": card_error, "tokenize_url": reverse("payments:sandbox_tokenize"),
        "return_url": reverse("pay:card", args=[token]),
        "credit": credit_balance(invoice.account, invoice.currency),
        "documents_url": reverse("portal:account", args=[account_link_token(invoice.account)]),
    }, status=status)


@login_not_required
@require_GET
def invoice(request, token):
    try:
        found = invoice_for_pay_link(token)
    except LinkProblem as problem:
        return _problem(request, problem)
    return _page(request, found, token)


@login_not_required
@require_http_methods(["GET", "POST"])
def card(request, token):
    """Back from the gateway with a token (or its refusal): confirm and pay."""
    try:
        found = invoice_for_pay_link(token)
    except LinkProblem as problem:
        return _problem(request, problem)
    if request.GET.get("card_error"):
        return _page(request, found, token, status=400,
                     card_error=CARD_ERRORS.get(request.GET["card_error"], CARD_REFUSED))
    form = PayForm(request.POST or None, initial={"card_token": request.GET.get("card_token")})
    card_token = form.data.get("card_token") or request.GET.get("card_token", "")
    details = gateway().describe_card(token=card_token) if card_token else None
    if details is None:
        return _page(request, found, token, card_error="Enter your card again.", status=400)
    if request.method == "POST" and form.is_valid():
        payer = Actor.customer(name=form.cleaned_data["name"], ip=client_ip(request))
        try:
            payment = pay_invoice_by_card(invoice=found, token=card_token,
                                          save_card=form.cleaned_data["save"], by=payer)
        except ValidationError as error:
            return _page(request, found, token, card_error=" ".join(error.messages), status=400)
        if payment.state == PaymentState.FAILED:
            return _page(request, found, token, status=402,
                         card_error=f"{payment.failure_message} No money was taken.")
        return render(request, "pay/done.html", {"invoice": found, "payment": payment})
    return render(request, "pay/confirm.html", {
        "invoice": found, "form": form, "card": details, "token": token,
        "to_pay": to_pay(found, early_discount(found, business_date()))},
        status=400 if form.errors else 200)


@login_not_required
@require_GET
@xframe_options_sameorigin
def invoice_pdf(request, token):
    try:
        found = invoice_for_pay_link(token)
    except LinkProblem as problem:
        return _problem(request, problem)
    response = HttpResponse(stored_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


