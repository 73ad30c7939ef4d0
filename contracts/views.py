"""Contract list and detail, and the actions that stay inside contracts (send, activate).

Pages read through `contracts_visible_to` (404 for contracts one may not see); each action is one
service call (403 without the permission). Countersigning is a q2c flow (`contract_flows:`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contracts import selectors, services
from contracts.filters import ContractFilter
from contracts.models import ContractState

PAGE_SIZE = 25


@permission_required("contracts.view_contract", raise_exception=True)
def contract_list(request):
    visible = selectors.contracts_visible_to(request.user)
    contract_filter = ContractFilter(request.GET or None, visible=visible)
    page = Paginator(contract_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/list.html", {
        "filter": contract_filter, "page_obj": page, "contracts": page.object_list})


@permission_required("contracts.view_contract", raise_exception=True)
def contract_detail(request, pk):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    user = request.user
    link = (services.contract_link_url(contract)
            if contract.state == ContractState.OUT_FOR_SIGNATURE else None)
    return render(request, "contracts/detail.html", {
        "contract": contract, "lines": selectors.lines_of(contract), "signature_link": link,
        "can_send": (contract.state == ContractState.DRAFT
                     and user.has_perm("contracts.send_contract")),
        "can_countersign": (contract.state == ContractState.SIGNED
                            and not contract.is_countersigned
                            and user.has_perm("contracts.countersign_contract")),
        "can_activate": (contract.state == ContractState.SIGNED and contract.is_countersigned
                         and user.has_perm("contracts.activate_contract")),
    })


def _act(request, pk, service, done: str):
    contract = selectors.contract_for_detail(pk=pk, user=request.user)
    try:
        contract = service(contract=contract, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(contract=contract))
    return redirect("contracts:detail", pk=contract.pk)


@require_POST
@permission_required("contracts.send_contract", raise_exception=True)
def contract_send(request, pk):
    return _act(request, pk, services.send_for_signature,
                "Contract {contract} is out for signature: send the customer its link.")


@require_POST
@permission_required("contracts.activate_contract", raise_exception=True)
def contract_activate(request, pk):
    return _act(request, pk, services.activate, "Contract {contract} is active.")
