"""The customer's pay-by-card link of an invoice: a Django signature over the invoice's pk and
number (core.signed_links), so a tampered link is refused without a stored token. Billing makes
it (the invoice's email carries it); payments' pay pages read it."""

from collections.abc import Callable

from billing.models import Invoice
from core.signed_links import link_maker, link_token, link_tokens, link_url

LINK_SALT = "payments.pay-link"  # the salt links were first signed with: old links still work


def _token(pk: int, number: str) -> str:
    return link_token({"i": pk, "n": number}, salt=LINK_SALT)


def pay_link_token(invoice: Invoice) -> str:
    return _token(invoice.pk, invoice.number)


def pay_link_url(invoice: Invoice, base_url: str | None = None) -> str:
    """From the request's host when a page sends it, else SITE_URL (tasks)."""
    return link_url("pay:invoice", pay_link_token(invoice), base_url)


def pay_link_urls(base_url: str | None = None) -> Callable[[int, str], str]:
    """`pay_link_url` for many invoices by pk and number (a dunning run's emails)."""
    url_for, token = link_maker("pay:invoice", base_url), link_tokens(salt=LINK_SALT)
    return lambda pk, number: url_for(token({"i": pk, "n": number}))
