"""The questions about contracts: which a user may see, one contract for its page, its lines.

`contracts_visible_to` is the one visibility rule (the quotes' team rule): list, detail and every
service that changes a contract for a user go through it.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from contracts.models import Contract, ContractLine
from core.visibility import visible_to

VIEW = "contracts.view_contract"
VIEW_TEAM = "contracts.view_team_contracts"
VIEW_ALL = "contracts.view_all_contracts"




def contracts_visible_to(user) -> QuerySet[Contract]:
    """Rep: owned; manager: own and the team's; finance, accountants, system: all; else none."""
    contracts = Contract.objects.select_related("account", "owner", "quote", "payment_terms",
                                                "countersigned_by")
    return visible_to(contracts, user, view=VIEW, view_team=VIEW_TEAM, view_all=VIEW_ALL)


def search_contracts(contracts: QuerySet[Contract], text: str) -> QuerySet[Contract]:
    text = text.strip()
    if not text:
        return contracts
    return contracts.filter(Q(number__icontains=text) | Q(account__name__icontains=text)
                            | Q(quote__number__icontains=text))


def contract_for_detail(*, pk, user) -> Contract:
    """The contract if the user may see it, else 404."""
    return get_object_or_404(contracts_visible_to(user), pk=pk)


def contract_for_update(*, pk) -> Contract:
    """Lock the contract row for the caller's transaction."""
    return Contract.objects.select_for_update().get(pk=pk)


def lines_of(contract: Contract) -> QuerySet[ContractLine]:
    return contract.lines.select_related("product").order_by("position", "pk")


def contract_of_quote(quote) -> Contract | None:
    return Contract.objects.filter(quote=quote).first()
