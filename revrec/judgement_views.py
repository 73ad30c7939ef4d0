"""The accountant's judgements on a revenue contract, posted from its page: returns,
guaranteed minimums, financing components, material rights and prepaid credits. Each view checks its
permission, calls one service, and on a refusal shows the contract page again with the
service's errors on the form (`views.contract_detail`)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from revrec import selectors
from revrec.forms import (
    FinancingForm,
    MaterialRightForm,
    MinimumForm,
    PrepaidForm,
    ReturnEstimateForm,
    RightEventForm,
)
from revrec.services.financing import assess_financing
from revrec.services.returns import estimate_returns
from revrec.services.rights import (
    grant_material_right,
    recognize_on_redemption,
    record_redemption,
    reestimate_redemptions,
)
from revrec.services.royalties import set_guaranteed_minimum
from revrec.views import contract_detail, goods_at_a_point_in_time, usage_without_minimum


@require_POST
@permission_required("revrec.estimate_variable_consideration", raise_exception=True)
def contract_returns(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    obligations = goods_at_a_point_in_time(selectors.obligations_of(revenue_contract))
    form = ReturnEstimateForm(request.POST, obligations=obligations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            estimate_returns(obligation=next(o for o in obligations if o.pk == data["obligation"]),
                             method=data["method"], scenarios=data["scenarios"],
                             units_sold=data["units_sold"], unit_cost=data["unit_cost"],
                             reason=data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Returns estimated; revenue, the refund liability and the "
                                      "asset follow it at the next run.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, return_form=form)


@require_POST
@permission_required("revrec.estimate_variable_consideration", raise_exception=True)
def contract_minimum(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    obligations = usage_without_minimum(selectors.obligations_of(revenue_contract))
    form = MinimumForm(request.POST, obligations=obligations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            set_guaranteed_minimum(
                obligation=next(o for o in obligations if o.pk == data["obligation"]),
                amount=data["amount"], reason=data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Guaranteed minimum set; it is recognized ratably.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, minimum_form=form)


@require_POST
@permission_required("revrec.assess_financing", raise_exception=True)
def contract_financing(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    obligations = goods_at_a_point_in_time(selectors.obligations_of(revenue_contract))
    form = FinancingForm(request.POST, obligations=obligations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assess_financing(obligation=next(o for o in obligations if o.pk == data["obligation"]),
                             paid_on=data["paid_on"], rate=data["rate"], reason=data["reason"],
                             by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Financing assessed; revenue and interest follow it.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, financing_form=form)


@require_POST
@permission_required("revrec.account_material_rights", raise_exception=True)
def contract_right(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    form = MaterialRightForm(request.POST)
    if form.is_valid():
        try:
            grant_material_right(revenue_contract=revenue_contract, by=request.user,
                                 **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Material right recorded; its share of the price is "
                                      "carved out of the goods.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, right_form=form)


@require_POST
@permission_required("revrec.account_material_rights", raise_exception=True)
def right_event(request, pk: int):
    right = get_object_or_404(selectors.material_rights(), pk=pk)
    form = RightEventForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "redeem":
                record_redemption(right=right, units=data["units"], reason=data["reason"],
                                  by=request.user)
            else:
                reestimate_redemptions(right=right, units_expected=data["units"],
                                       reason=data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Recorded; what the right earned is scheduled.")
            return redirect("revrec:contract", pk=right.obligation.revenue_contract_id)
    return contract_detail(request, right.obligation.revenue_contract_id, event_form=form)


@require_POST
@permission_required("revrec.account_material_rights", raise_exception=True)
def contract_prepaid(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    obligations = goods_at_a_point_in_time(selectors.obligations_of(revenue_contract))
    form = PrepaidForm(request.POST, obligations=obligations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recognize_on_redemption(
                obligation=next(o for o in obligations if o.pk == data["obligation"]),
                units=data["units"], units_expected=data["units_expected"],
                expires_on=data["expires_on"], evidence=data["evidence"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The goods are earned as the credits are used.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, prepaid_form=form)
