"""The hand-offs between stages that a person triggers, one transaction each.

Reading this file tells the whole journey: a flow calls the earlier stage's service, then the
later one's, inside one transaction, so a customer's click either moves every stage or none.

- The customer accepts a sent quote through their link: quotes accepts it (the contracts stage
  will add its contract here).
- The customer declines a sent quote through their link: quotes records the reason.
"""

from datetime import date

from django.db import transaction

from core.actors import Actor
from quotes.services.sending import accept_quote, decline_quote, quote_for_link


@transaction.atomic
def accept_quote_flow(*, token: str, signer_name: str, signer_title: str, consent: bool,
                      ip: str | None, user_agent: str, on: date | None = None):
    """The customer signs the quote their link names; returns the accepted quote."""
    quote = quote_for_link(token, on=on, for_update=True)
    customer = Actor.customer(name=signer_name.strip(), ip=ip)
    return accept_quote(quote=quote, by=customer, title=signer_title, consent=consent,
                        user_agent=user_agent, on=on)


@transaction.atomic
def decline_quote_flow(*, token: str, reason: str, signer_name: str = "",
                       ip: str | None, on: date | None = None):
    """The customer declines the quote their link names, with a reason; returns the quote."""
    quote = quote_for_link(token, on=on, for_update=True)
    contact = quote.contact.name if quote.contact_id else ""
    customer = Actor.customer(name=signer_name.strip() or contact or "Customer", ip=ip)
    return decline_quote(quote=quote, by=customer, reason=reason, on=on)
