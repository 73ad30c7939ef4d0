"""The contract hand-offs a person starts: the customer signs through their link (no login; the
valid link is the permission, a link that cannot be used gets a page saying why), a user
countersigns, and a user activates. All go through `q2c.flows`."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.models import ContractState
from contracts.selectors import contract_for_detail
from contracts.services import LinkProblem, contract_for_link
from core.forms import add_service_errors
from q2c import flows
from q2c.journey import journey
from q2c.portal import client_ip


class SignForm(forms.Form):
    name = forms.CharField(label="Your full name", max_length=200)
    title = forms.CharField(label="Your job title", max_length=200)
    consent = forms.BooleanField(
        label="I have read this contract and sign it on behalf of the customer.",
        error_messages={"required": "Tick the box to confirm you sign this contract."})


def _problem(request, problem: LinkProblem):
    return render(request, "contracts/portal/link_problem.html", {
        "problem": problem, "company_email": settings.COMPANY_EMAIL}, status=problem.status)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign(request, token):
    try:
        contract = contract_for_link(token)
    except LinkProblem as problem:
        return _problem(request, problem)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = flows.sign_contract_flow(
                token=token, signer_name=form.cleaned_data["name"],
                signer_title=form.cleaned_data["title"], consent=form.cleaned_data["consent"],
                ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        except LinkProblem as problem:
            return _problem(request, problem)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "contracts/portal/signed.html", {
                "contract": contract, "steps": journey(contract=contract)})
    return render(request, "contracts/portal/sign.html", {
        "contract": contract, "token": token, "form": form},
        status=400 if form.errors else 200)


@login_not_required
@require_GET
@xframe_options_sameorigin
def sign_pdf(request, token):
    """The exact bytes that were sent (their SHA-256 is what the signature records)."""
    try:
        contract = contract_for_link(token)
    except LinkProblem as problem:
        return _problem(request, problem)
    response = HttpResponse(bytes(contract.sent_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.number}.pdf"'
    return response


@require_POST
@permission_required("contracts.countersign_contract", raise_exception=True)
def countersign(request, pk):
    contract = contract_for_detail(pk=pk, user=request.user)
    try:
        contract = flows.countersign_contract_flow(contract=contract, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if contract.state == ContractState.ACTIVE:
            messages.success(request, f"Contract {contract} countersigned and active.")
        else:
            messages.success(request, f"Contract {contract} countersigned; it activates on its "
                                      f"start date, {contract.start_on:%Y-%m-%d}.")
    return redirect("contracts:detail", pk=contract.pk)


@require_POST
@permission_required("contracts.activate_contract", raise_exception=True)
def activate(request, pk):
    contract = contract_for_detail(pk=pk, user=request.user)
    try:
        contract = flows.activate_contract_flow(contract=contract, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Contract {contract} is active.")
    return redirect("contracts:detail", pk=contract.pk)
