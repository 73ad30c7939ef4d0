"""The accountant's judgements on a revenue contract, posted from its page: returns,
guaranteed minimums, financing components, material rights and prepaid credits. Each view
checks its permission and calls one service through `_judge`, which on a refusal shows the
contract page again with the service's errors on the form (`views.contract_detail`)."""

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
from revrec.services.financing import assess_financing, assess_instalment_financing
from revrec.services.returns import estimate_returns
from revrec.services.rights import (
    grant_material_right,
    recognize_on_redemption,
    record_redemption,
    reestimate_redemptions,
)
from revrec.services.royalties import set_guaranteed_minimum
from revrec.views import contract_detail, goods_at_a_point_in_time, usage_without_minimum


def _judge(request, pk: int, form, slot: str, act, done: str):
    """Run `act(cleaned_data)` for a valid form and go back to the contract with `done`; else
    show the contract page with the form (and the service's refusal) in its `slot`."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, **{slot: form})


def _chosen(obligations, data):
    return next(o for o in obligations if o.pk == data["obligation"])


@require_POST
@permission_required("revrec.estimate_variable_consideration", raise_exception=True)
def contract_returns(request, pk: int):
    obligations = goods_at_a_point_in_time(
        selectors.obligations_of(selectors.revenue_contract_for_detail(pk)))
    return _judge(
        request, pk, ReturnEstimateForm(request.POST, obligations=obligations), "return_form",
        lambda data: estimate_returns(
            obligation=_chosen(obligations, data), method=data["method"],
            scenarios=data["scenarios"], units_sold=data["units_sold"],
            unit_cost=data["unit_cost"], reason=data["reason"], by=request.user),
        "Returns estimated; revenue, the refund liability and the asset follow it at the next "
        "run.")


@require_POST
@permission_required("revrec.estimate_variable_consideration", raise_exception=True)
def contract_minimum(request, pk: int):
    obligations = usage_without_minimum(
        selectors.obligations_of(selectors.revenue_contract_for_detail(pk)))
    return _judge(
        request, pk, MinimumForm(request.POST, obligations=obligations), "minimum_form",
        lambda data: set_guaranteed_minimum(
            obligation=_chosen(obligations, data), amount=data["amount"],
            reason=data["reason"], by=request.user),
        "Guaranteed minimum set; it is recognized ratably.")


@require_POST
@permission_required("revrec.assess_financing", raise_exception=True)
def contract_financing(request, pk: int):
    obligations = goods_at_a_point_in_time(
        selectors.obligations_of(selectors.revenue_contract_for_detail(pk)))
    return _judge(
        request, pk, FinancingForm(request.POST, obligations=obligations), "financing_form",
        lambda data: _assess_financing(_chosen(obligations, data), data, request.user),
        "Financing assessed; revenue and interest follow it.")


def _assess_financing(obligation, data, by):
    """A plan of payments (`assess_instalment_financing`) or one payment."""
    if data["payments"]:
        return assess_instalment_financing(
            obligation=obligation, payments=data["payments"], rate=data["rate"],
            rate_after=data["rate_after"], reason=data["reason"], by=by)
    return assess_financing(obligation=obligation, paid_on=data["paid_on"], rate=data["rate"],
                            reason=data["reason"], by=by)


@require_POST
@permission_required("revrec.account_material_rights", raise_exception=True)
def contract_right(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    return _judge(
        request, pk, MaterialRightForm(request.POST), "right_form",
        lambda data: grant_material_right(revenue_contract=revenue_contract, by=request.user,
                                          **data),
        "Material right recorded; its share of the price is carved out of the goods.")


def _right_event(right, data, by):
    if data["action"] == "redeem":
        record_redemption(right=right, units=data["units"], reason=data["reason"], by=by)
    else:
        reestimate_redemptions(right=right, units_expected=data["units"],
                               reason=data["reason"], by=by)


@require_POST
@permission_required("revrec.account_material_rights", raise_exception=True)
def right_event(request, pk: int):
    right = get_object_or_404(selectors.material_rights(), pk=pk)
    return _judge(
        request, right.obligation.revenue_contract_id, RightEventForm(request.POST),
        "event_form", lambda data: _right_event(right, data, request.user),
        "Recorded; what the right earned is scheduled.")


@require_POST
@permission_required("revrec.account_material_rights", raise_exception=True)
def contract_prepaid(request, pk: int):
    obligations = goods_at_a_point_in_time(
        selectors.obligations_of(selectors.revenue_contract_for_detail(pk)))
    return _judge(
        request, pk, PrepaidForm(request.POST, obligations=obligations), "prepaid_form",
        lambda data: recognize_on_redemption(
            obligation=_chosen(obligations, data), units=data["units"],
            units_expected=data["units_expected"], expires_on=data["expires_on"],
            evidence=data["evidence"], by=request.user),
        "The goods are earned as the credits are used.")
