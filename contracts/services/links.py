"""The customer's signature link: a Django signature over the contract's pk and the hash of the
PDF sent, so a tampered link, or one for a document since replaced, is refused without a stored
token."""

from contracts.models import Contract, ContractState
from core.signed_links import LinkProblem, link_token, link_url, read_link, unknown_link

LINK_SALT = "contracts.signature-link"
LINK_DAYS = 30  # how long a signature link works after it is made
HASH_IN_LINK = 32  # hex characters of the document's SHA-256 the link is bound to (128 bits)

__all__ = ["LinkProblem", "contract_for_link", "contract_link_token", "contract_link_url"]


def contract_link_token(contract: Contract) -> str:
    return link_token({"c": contract.pk, "h": contract.document_sha256[:HASH_IN_LINK]},
                      salt=LINK_SALT)


def contract_link_url(contract: Contract, base_url: str | None = None) -> str:
    return link_url("contract_flows:sign", contract_link_token(contract), base_url)


def contract_for_link(token: str, *, for_update: bool = False) -> Contract:
    """The contract out for signature that a link names, or `LinkProblem` saying why not."""
    pk, digest = read_link(token, salt=LINK_SALT, keys=("c", "h"), max_age_days=LINK_DAYS,
                           expired="This signature link has expired. Please ask us for a new "
                                   "one.")
    contracts = (Contract.objects.select_for_update(of=("self",)) if for_update
                 else Contract.objects)
    contract = contracts.select_related("account", "payment_terms").filter(pk=pk).first()
    if contract is None or contract.document_sha256[:HASH_IN_LINK] != digest:
        raise unknown_link()
    if contract.state != ContractState.OUT_FOR_SIGNATURE:
        raise LinkProblem("used", f"Contract {contract} is already signed. Thank you.")
    return contract
