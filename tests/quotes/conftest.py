from decimal import Decimal

import pytest

from catalog.demo import seed_catalog
from quotes import services
from tests.quotes.factories import draft_quote, product


@pytest.fixture
def catalog(db):
    """The demo catalog: products, options and rules, books in four currencies, tax rates."""
    return seed_catalog()


@pytest.fixture
def quote(catalog, sales_rep):
    """A draft to arrange: seats, a configured platform (with its two option lines, edition and
    seats), onboarding. Modules with a quote of their own override it."""
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0")])
    services.add_line(quote=quote, product=product("PLATFORM"), by=sales_rep,
                      options={"PLAT-PRO": Decimal(1), "SEAT-USER": Decimal(5)})
    services.add_line(quote=quote, product=product("ONBOARDING"), by=sales_rep)
    return quote
