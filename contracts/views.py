"""Contract pages, and the actions that stay inside contracts (send, amend, terminate, import;
activation is a q2c flow, since revenue recognition starts with it).

Pages read through `contracts_visible_to` (404 for contracts one may not see); each action is one
service call (403 without the permission). Countersigning is a q2c flow (`contract_flows:`).
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contracts import selectors, services
from contracts.actions import next_actions
from contracts.contract_files import COLUMNS
from contracts.documents import amendment_document
from contracts.filters import ContractFilter
from contracts.forms import (
    AmendmentForm,
    ImportForm,
    TerminationForm,
    TerminationPreviewForm,
)
from contracts.pdf import PdfUnavailable, render_amendment_pdf, render_contract_pdf
from contracts.services.termination import check_termination_date, credit_total
from core.dates import business_date
from core.formatting import format_money
from core.forms import add_service_errors
from core.pagination import keyset_page
from quotes.actions import quote_actions
from quotes.selectors import coupons_of

PAGE_SIZE = 25


@permission_required("contracts.view_contract", raise_exception=True)
def contract_list(request):
    visible = selectors.contracts_visible_to(request.user)
    contract_filter = ContractFilter(request.GET or None, visible=visible)
    page = keyset_page(contract_filter.qs, request.GET, default_size=PAGE_SIZE)
    return render(request, "contracts/list.html", {
        "filter": contract_filter, "page_obj": page, "contracts": page.object_list,
        "can_import": request.user.has_perm("contracts.import_contracts")})


@permission_required("contracts.view_contract", raise_exception=True)
def contract_detail(request, pk):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    termination = selectors.termination_of(contract)
    actions = next_actions(contract, request.user)
    return render(request, "contracts/detail.html", {
        "contract": contract, "lines": selectors.lines_of(contract),
        "amendments": selectors.amendments_of(contract),
        "renewal": selectors.renewal_of(contract),
        "renewed_by": selectors.renewal_contract_of(contract),
        "termination": termination,
        "termination_rows": (selectors.rows_of_change(termination.schedule_change)
                             if termination else ()),
        "schedule": selectors.charge_schedule_of(contract),
        "actions": actions,
        "coupons": coupons_of(contract.quote) if contract.quote_id else (),
        "running_coupons": selectors.coupons_carried_on(contract),
        "signature_link": (services.contract_link_url(contract, request.build_absolute_uri("/"))
                           if actions.share_link else None),
        "amendment_form": AmendmentForm(), "termination_form": TerminationForm(),
    })


def _act(request, pk, service, done: str, **options):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    try:
        contract = service(contract=contract, by=request.user, **options)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PdfUnavailable as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(contract=contract))
    return redirect("contracts:detail", pk=contract.pk)


@require_POST
@permission_required("contracts.send_contract", raise_exception=True)
def contract_send(request, pk):
    return _act(request, pk, services.send_for_signature,
                "Contract {contract} is out for signature: the customer has the PDF and the "
                "link by email.", base_url=request.build_absolute_uri("/"))


def _pdf_response(request, pk, disposition: str):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    try:
        pdf = bytes(contract.sent_pdf) if contract.sent_pdf else render_contract_pdf(contract)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return redirect("contracts:detail", pk=contract.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{contract.number}.pdf"'
    return response


@permission_required("contracts.view_contract", raise_exception=True)
def contract_pdf(request, pk):
    """The sent bytes once sent (what the customer signs); before, a preview rendered now."""
    return _pdf_response(request, pk, "inline")


@permission_required("contracts.view_contract", raise_exception=True)
def contract_pdf_download(request, pk):
    return _pdf_response(request, pk, "attachment")


@require_POST
@permission_required("contracts.amend_contract", raise_exception=True)
def amendment_start(request, pk):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            amendment = services.start_amendment(
                contract=contract, by=request.user,
                effective_on=form.cleaned_data["effective_on"],
                effective_time=form.cleaned_data["effective_time"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Amendment quote {amendment.quote} drafted: change the "
                                      f"lines, then submit and send it.")
            return redirect("quotes:builder", pk=amendment.quote.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("contracts:detail", pk=contract.pk)


@permission_required("contracts.view_contract", raise_exception=True)
def amendment_detail(request, pk):
    amendment = selectors.amendment_for_detail(pk=pk, user=request.user)
    return render(request, "contracts/amendment.html", {
        "amendment": amendment, "contract": amendment.contract,
        "quote_actions": quote_actions(amendment.quote, request.user),
        "document": amendment_document(amendment), "currency": amendment.contract.currency,
        "new_lines": amendment.new_lines.select_related("product", "replaces"),
    })


@permission_required("contracts.view_contract", raise_exception=True)
def amendment_pdf(request, pk):
    """The amendment as the customer reads it: what changes and what it costs, rendered now."""
    amendment = selectors.amendment_for_detail(pk=pk, user=request.user)
    try:
        pdf = render_amendment_pdf(amendment)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return redirect("contracts:amendment", pk=amendment.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (f'inline; filename="{amendment.contract.number}-'
                                       f'amendment-{amendment.quote.number}.pdf"')
    return response


@require_POST
@permission_required("contracts.terminate_contract", raise_exception=True)
def contract_terminate(request, pk):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    form = TerminationForm(request.POST)
    if form.is_valid():
        try:
            termination = services.terminate_contract(
                contract=contract, by=request.user, reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
                effective_time=form.cleaned_data["effective_time"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            credit = format_money(termination.credit_amount, termination.currency)
            messages.success(request, f"Contract {contract} terminated from "
                                      f"{termination.effective_from}; credit {credit}.")
            return redirect("contracts:detail", pk=contract.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("contracts:detail", pk=contract.pk)


@permission_required("contracts.terminate_contract", raise_exception=True)
def termination_preview(request, pk):
    """The terminate form's live preview (htmx): the rows terminating from the chosen date
    would add, and the credit they make; nothing is written."""
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    form = TerminationPreviewForm(request.GET)
    context = {"contract": contract, "form": form, "rows": (), "credit": None}
    if form.is_valid():
        effective_on = form.cleaned_data["effective_on"]
        try:
            check_termination_date(contract, effective_on)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            rows = services.termination_preview(contract, effective_on,
                                                form.cleaned_data["effective_time"])
            context.update(rows=rows, effective_on=effective_on,
                           effective_time=form.cleaned_data["effective_time"],
                           last_day=effective_on - timedelta(days=1),
                           credit=credit_total(rows, contract.currency))
    return render(request, "contracts/_termination_preview.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("contracts.import_contracts", raise_exception=True)
def contract_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    refused = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = services.import_contracts(data=upload.read(), filename=upload.name,
                                                by=request.user, on=business_date())
        except services.ImportRefused as error:
            refused = error.problems
        else:
            messages.success(request, f"Imported {len(created)} active contract"
                                      f"{'s' if len(created) != 1 else ''}.")
            return redirect("contracts:list")
    return render(request, "contracts/import.html", {
        "form": form, "refused": refused, "columns": COLUMNS},
        status=400 if refused or form.errors else 200)
