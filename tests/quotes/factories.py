"""Quotes built through the services, on the demo catalog, always in a named currency."""

from datetime import date
from decimal import Decimal

from catalog.models import Product
from quotes import services
from tests.customers.factories import AccountFactory, ContactFactory

START = date(2026, 1, 1)


def product(sku: str) -> Product:
    return Product.objects.get(sku=sku)


def account_for(owner, *, currency: str = "USD", country: str = "US", **fields):
    account = AccountFactory(owner=owner, currency=currency, country=country, **fields)
    ContactFactory(account=account)
    return account


def draft_quote(owner, *, account=None, lines=(), term_months: int = 12, **fields):
    """A draft for `owner` with `lines` as (sku, quantity, discount percent) tuples."""
    account = account or account_for(owner)
    quote = services.create_quote(by=owner, account=account, start_on=START,
                                  term_months=term_months, on=START, **fields)
    if lines:
        services.add_lines(quote=quote, by=owner, items=[
            services.LineItem(product=product(sku), quantity=Decimal(quantity),
                              discount_percent=Decimal(discount))
            for sku, quantity, discount in lines])
        quote.refresh_from_db()
    return quote


def seat_lines(count: int, discount: str = "0"):
    return [("SEAT-USER", 1 + n % 7, discount) for n in range(count)]


def skus(quote) -> list[str]:
    """The quote's lines' SKUs in their order."""
    return list(quote.lines.order_by("position").values_list("product__sku", flat=True))
