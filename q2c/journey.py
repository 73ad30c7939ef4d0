"""Where the customer is in the deal, for the portal's thank-you pages: quote accepted →
contract to sign → countersigned → invoice to pay. Read from each stage's own state."""

from dataclasses import dataclass

from billing.models import Invoice
from contracts.models import Contract, ContractState
from customers.models import DocumentDelivery

# Where an issued invoice went, by the delivery it was issued with (billing.services.delivery).
SENT_BY = {DocumentDelivery.EMAIL: "was emailed to your billing contact",
           DocumentDelivery.PORTAL: "is in your customer portal",
           DocumentDelivery.POST: "was posted to your billing address"}


@dataclass(frozen=True)
class Step:
    label: str
    status: str  # "done", "now" (the customer's turn), "waiting" (ours), "later"
    note: str = ""


def journey(*, quote=None, contract=None) -> list[Step]:
    """The steps of one deal, from its quote or its contract (three queries at most)."""
    if contract is None and quote is not None:
        contract = Contract.objects.filter(quote=quote).order_by("pk").first()
    steps = [Step("Quote accepted", "done")]
    if contract is None:
        return steps + [Step("Contract to sign", "waiting", "We are preparing it."),
                        Step("Invoice to pay", "later")]
    signed = contract.state not in (ContractState.DRAFT, ContractState.OUT_FOR_SIGNATURE)
    if signed:
        steps.append(Step("Contract signed", "done", f"Signed by {contract.signer_name}."))
    elif contract.state == ContractState.OUT_FOR_SIGNATURE:
        steps.append(Step("Contract to sign", "now",
                          "We emailed you the link to sign it."))
    else:
        steps.append(Step("Contract to sign", "waiting",
                          "We will email you the contract to sign."))
    countersigned = contract.countersigned_at is not None
    steps.append(Step("Countersigned by us", "done" if countersigned else
                      "waiting" if signed else "later",
                      "" if countersigned or not signed else "We will email you your copy."))
    invoice = (Invoice.objects.filter(account_id=contract.account_id, amount_due__gt=0,
                                      issue_on__gte=contract.created_at.date())
               .exclude(number="").order_by("issue_on", "pk").first() if countersigned else None)
    if invoice is not None and invoice.is_open:
        steps.append(Step("Invoice to pay", "now",
                          f"Invoice {invoice.number} {SENT_BY[invoice.delivery]}."))
    else:
        steps.append(Step("Invoice to pay", "later", "We send it to you when it is issued."))
    return steps
