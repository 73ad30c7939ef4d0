"""The customer's signature link: a Django signature over the contract's pk and the hash of the
PDF sent, so a tampered link, or one for a document since replaced, is refused without a stored
token."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from contracts.models import Contract, ContractState
from quotes.services.sending import LinkProblem

LINK_SALT = "contracts.signature-link"
LINK_DAYS = 30  # how long a signature link works after it is made
HASH_IN_LINK = 32  # hex characters of the document's SHA-256 the link is bound to (128 bits)

__all__ = ["LinkProblem", "contract_for_link", "contract_link_token", "contract_link_url"]


def contract_link_token(contract: Contract) -> str:
    return signing.dumps({"c": contract.pk, "h": contract.document_sha256[:HASH_IN_LINK]},
                         salt=LINK_SALT, compress=True)


def contract_link_url(contract: Contract, base_url: str | None = None) -> str:
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("contract_flows:sign", args=[contract_link_token(contract)])


def contract_for_link(token: str, *, for_update: bool = False) -> Contract:
    """The contract out for signature that a link names, or `LinkProblem` saying why not."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=LINK_DAYS))
        pk, digest = data["c"], data["h"]
    except signing.SignatureExpired:
        raise LinkProblem("expired", "This signature link has expired. Please ask us for a new "
                          "one.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid", "This link is not valid. Please open the link exactly as it "
                          "is in the email we sent you.", status=400) from None
    contracts = (Contract.objects.select_for_update(of=("self",)) if for_update
                 else Contract.objects)
    contract = contracts.select_related("account", "payment_terms").filter(pk=pk).first()
    if contract is None or contract.document_sha256[:HASH_IN_LINK] != digest:
        raise LinkProblem("invalid", "This link is not valid.", status=400)
    if contract.state != ContractState.OUT_FOR_SIGNATURE:
        raise LinkProblem("used", f"Contract {contract} is already signed. Thank you.")
    return contract
