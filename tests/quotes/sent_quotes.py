"""Quotes ready to send, for the document and acceptance tests, built through the services
on the demo catalog: 10 user seats billed monthly at 15% off, plus onboarding."""

from datetime import date
from decimal import Decimal

from catalog.demo import seed_catalog
from quotes import services
from quotes.models import Quote, QuoteState
from tests.customers.factories import AccountFactory, ContactFactory
from tests.quotes.factories import product

CREATED_ON = date(2026, 11, 23)


def approved_quote(*, owner, expires_on=date(2026, 12, 31), contact_email="buyer@acme.example",
                   state=QuoteState.APPROVED) -> Quote:
    """Approved at once (no rule hits a 15% discount on net 30), or left a draft."""
    seed_catalog()  # idempotent
    account = AccountFactory(owner=owner, name="Acme Widgets", currency="USD")
    contact = ContactFactory(account=account, name="Ada Buyer", email=contact_email)
    quote = services.create_quote(
        by=owner, account=account, contact=contact, start_on=date(2026, 12, 1), term_months=12,
        expires_on=expires_on, customer_notes="Prices include onboarding for two admins.",
        on=CREATED_ON)
    services.add_lines(quote=quote, by=owner, items=[
        services.LineItem(product=product("SEAT-USER"), quantity=Decimal(10),
                          discount_percent=Decimal(15), billing_period="monthly"),
        services.LineItem(product=product("ONBOARDING")),
    ])
    if state == QuoteState.APPROVED:
        services.submit_for_approval(quote=quote, by=owner, on=CREATED_ON)
    quote.refresh_from_db()
    assert quote.state == state
    return quote
