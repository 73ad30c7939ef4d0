"""Quotes ready to send, for the document and acceptance tests.

The quote is made with its stored lines and totals as the builder saves them, already approved
(the builder and approval services are tested on their own); sending and answering go through
the real services.
"""

import itertools
from datetime import date
from decimal import Decimal

from quotes.models import Quote, QuoteLine, QuoteState
from tests.catalog.factories import PriceBookFactory, ProductFactory
from tests.customers.factories import AccountFactory, ContactFactory, terms

D = Decimal
_numbers = itertools.count(1)


def approved_quote(*, owner, expires_on=date(2026, 12, 31), contact_email="buyer@acme.example",
                   currency="USD", state=QuoteState.APPROVED) -> Quote:
    """A 12-month USD quote: 10 seats at $100/month less 15%, plus $500 onboarding."""
    account = AccountFactory(owner=owner, name="Acme Widgets", currency=currency)
    contact = ContactFactory(account=account, name="Ada Buyer", email=contact_email)
    quote = Quote.objects.create(
        number=f"Q-2026-{next(_numbers):05d}", account=account, contact=contact, owner=owner,
        currency=currency, price_book=PriceBookFactory(currency=currency),
        payment_terms=terms(), start_on=date(2026, 12, 1), term_months=12, expires_on=expires_on,
        customer_notes="Prices include onboarding for two admins.", state=state,
        list_total=D("12500.00"), discount_total=D("1800.00"), one_time_total=D("500.00"),
        recurring_monthly=D("850.00"), annual_contract_value=D("10200.00"),
        total_contract_value=D("10700.00"), tax_estimate=D("0.00"),
    )
    seats, onboarding = ProductFactory(name="Platform seat"), ProductFactory(name="Onboarding")
    QuoteLine.objects.create(
        quote=quote, position=1, product=seats, quantity=D(10), billing_period="monthly",
        price_snapshot={}, discount_percent=D(15), list_unit_price=D(100),
        list_per_period=D(1000), amount_per_period=D(850), list_amount=D(12000),
        discount_amount=D(1800), net_amount=D("10200.00"))
    QuoteLine.objects.create(
        quote=quote, position=2, product=onboarding, quantity=D(1), billing_period="one_time",
        price_snapshot={}, list_unit_price=D(500), list_per_period=D(500),
        amount_per_period=D(500), list_amount=D(500), net_amount=D("500.00"))
    return quote
