"""The customer's pay-by-card link: a Django signature over the invoice's pk and number, so a
tampered link is refused without a stored token; it works while the invoice is open."""

from billing.models import Invoice
from billing.services.pay_links import LINK_SALT, pay_link_token, pay_link_url
from core.signed_links import LinkProblem, read_link, unknown_link

LINK_DAYS = 120  # a pay link works this long (dunning emails send a fresh one each time)

__all__ = ["LinkProblem", "invoice_for_pay_link", "pay_link_token", "pay_link_url"]


def invoice_for_pay_link(token: str) -> Invoice:
    """The open invoice a link names, or `LinkProblem` saying why it cannot be paid."""
    pk, number = read_link(token, salt=LINK_SALT, keys=("i", "n"), max_age_days=LINK_DAYS,
                           expired="This payment link has expired. Please ask us for a new "
                                   "one.")
    invoice = (Invoice.objects.select_related("account__payment_terms")
               .filter(pk=pk, number=number).first())
    if invoice is None:
        raise unknown_link()
    if not invoice.is_open or invoice.amount_due <= 0:
        raise LinkProblem("paid", f"Invoice {invoice} has nothing left to pay. Thank you.")
    return invoice
