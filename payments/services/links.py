"""The customer's pay-by-card link: a Django signature over the invoice's pk and number, so a
tampered link is refused without a stored token; it works while the invoice is open."""

from datetime import timedelta

from django.core import signing

from billing.models import Invoice
from billing.services.pay_links import LINK_SALT, pay_link_token, pay_link_url
from quotes.services.sending import LinkProblem

LINK_DAYS = 120  # a pay link works this long (dunning emails send a fresh one each time)

__all__ = ["LinkProblem", "invoice_for_pay_link", "pay_link_token", "pay_link_url"]


def invoice_for_pay_link(token: str) -> Invoice:
    """The open invoice a link names, or `LinkProblem` saying why it cannot be paid."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=LINK_DAYS))
        pk, number = data["i"], data["n"]
    except signing.SignatureExpired:
        raise LinkProblem("expired", "This payment link has expired. Please ask us for a new "
                          "one.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid", "This link is not valid. Please open the link exactly as "
                          "it is in the email we sent you.", status=400) from None
    invoice = (Invoice.objects.select_related("account__payment_terms")
               .filter(pk=pk, number=number).first())
    if invoice is None:
        raise LinkProblem("invalid", "This link is not valid.", status=400)
    if not invoice.is_open or invoice.amount_due <= 0:
        raise LinkProblem("paid", f"Invoice {invoice} has nothing left to pay. Thank you.")
    return invoice
