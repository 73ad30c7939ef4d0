"""A levy per unit on a quote counts the units its invoices will bill (issue 17): the quote's
tax is what billing will charge, so a per-unit levy multiplies the quantity by the number of
charges over the term (Odoo's fixed tax, `amount_type='fixed'`: amount × quantity per invoice
line; ERPNext's "On Item Quantity" charge)."""

from decimal import Decimal as D

import pytest

from quotes import services
from tests.catalog.factories import TaxRateFactory
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db


def test_a_levy_per_unit_counts_every_unit_billed_over_the_term(catalog, sales_rep):
    # given 10 seats billed yearly over a 24-month quote, no tax yet
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0")], term_months=24)
    line = quote.lines.get()
    before = quote.tax_estimate
    # when the account's country levies 0.25 per unit
    TaxRateFactory(name="Levy", country=quote.account.country, percent=D(0),
                   per_unit_amount=D("0.25"), currency=quote.currency)
    services.reprice(quote=quote, by=sales_rep)
    quote.refresh_from_db()
    # then 10 units × 2 yearly charges × 0.25
    assert (quote.term_months, line.billing_period) == (24, "annual")
    assert quote.tax_estimate - before == D("5.00")
