"""The customer's pay-by-card link of an invoice: a Django signature over the invoice's pk and
number, so a tampered link is refused without a stored token. Billing makes it (the invoice's
email carries it); payments' pay pages read it."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from billing.models import Invoice

LINK_SALT = "payments.pay-link"  # the salt links were first signed with: old links still work


def pay_link_token(invoice: Invoice) -> str:
    return signing.dumps({"i": invoice.pk, "n": invoice.number}, salt=LINK_SALT, compress=True)


def pay_link_url(invoice: Invoice, base_url: str | None = None) -> str:
    """From the request's host when a page sends it, else SITE_URL (tasks)."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("pay:invoice", args=[pay_link_token(invoice)])
