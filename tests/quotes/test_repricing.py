"""Repricing: a change prices only what it must, and always lands on the whole-quote figures."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quotes import services
from quotes.models import QuoteLine
from quotes.services.repricing import PRICED_LINE_FIELDS, TOTAL_FIELDS
from tests.quotes.factories import draft_quote, product, seat_lines

pytestmark = pytest.mark.django_db

MIXED = [("SEAT-USER", 10, "5"), ("API-CALLS", 120000, "0"), ("ONBOARDING", 1, "10"),
         ("BUNDLE-GROWTH", 2, "0"), ("STORAGE-GB", 700, "15"), ("DEVICE-GW", 3, "0")]


def figures(quote):
    quote.refresh_from_db()
    lines = {line.pk: tuple(getattr(line, name) for name in PRICED_LINE_FIELDS)
             for line in QuoteLine.objects.filter(quote=quote)}
    return {name: getattr(quote, name) for name in TOTAL_FIELDS}, lines


def assert_whole_quote_agrees(quote, by):
    """Pricing every line again as one document changes nothing that was stored."""
    before = figures(quote)
    services.reprice(quote=quote, by=by)
    assert figures(quote) == before


def test_changing_adding_and_removing_lines_agrees_with_pricing_the_whole_quote(catalog,
                                                                               sales_rep):
    # given a quote with recurring, usage, one-time and bundle lines (no percentage line)
    quote = draft_quote(sales_rep, lines=MIXED)
    assert_whole_quote_agrees(quote, sales_rep)
    seats = quote.lines.get(product__sku="SEAT-USER", parent=None)
    # when lines change one at a time
    services.update_line(line=seats, by=sales_rep, quantity=D(37), discount_percent=D("12.5"))
    assert_whole_quote_agrees(quote, sales_rep)
    storage = quote.lines.get(product__sku="STORAGE-GB")
    services.update_line(line=storage, by=sales_rep, discount_percent=D(0),
                         discount_per_period=D("12.34"))
    assert_whole_quote_agrees(quote, sales_rep)
    services.add_line(quote=quote, product=product("PLAT-PRO"), by=sales_rep, quantity=D(2))
    assert_whole_quote_agrees(quote, sales_rep)
    services.remove_line(line=quote.lines.get(product__sku="BUNDLE-GROWTH"), by=sales_rep)
    # then the stored lines and totals are what the whole quote prices to
    assert_whole_quote_agrees(quote, sales_rep)
    quote.refresh_from_db()
    assert quote.total_contract_value == sum(line.net_amount for line in quote.lines.all())


def test_a_percentage_line_moves_with_the_lines_it_follows(catalog, sales_rep):
    # given premium support (20% of the subscriptions, at least 1,000) on a seat line
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 100, "0"), ("SUPPORT-PREMIUM", 1, "0")])
    support = quote.lines.get(product__sku="SUPPORT-PREMIUM")
    before = support.net_amount
    # when the seats double
    services.update_line(line=quote.lines.get(product__sku="SEAT-USER"), by=sales_rep,
                         quantity=D(200))
    # then support follows them and the totals agree with the whole quote
    support.refresh_from_db()
    assert support.net_amount == before * 2
    assert_whole_quote_agrees(quote, sales_rep)


def test_changing_a_bundle_keeps_its_included_lines_inside_it(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("BUNDLE-GROWTH", 1, "0")])
    included = quote.lines.filter(included=True).first()
    per_bundle = included.quantity
    services.update_line(line=included.parent, by=sales_rep, quantity=D(6))
    included.refresh_from_db()
    assert included.net_amount == 0 and included.quantity == 6 * per_bundle
    assert_whole_quote_agrees(quote, sales_rep)


def _update_queries(quote, by) -> int:
    line = quote.lines.order_by("position")[len(quote.lines.all()) // 2]
    with CaptureQueriesContext(connection) as context:
        services.update_line(line=line, by=by, quantity=line.quantity + 1)
    return len(context)


def test_changing_one_line_costs_the_same_queries_at_5_and_200_lines(catalog, sales_rep):
    small = draft_quote(sales_rep, lines=seat_lines(5))
    large = draft_quote(sales_rep, lines=seat_lines(200))
    assert _update_queries(small, sales_rep) == _update_queries(large, sales_rep)


def test_adding_many_lines_costs_the_same_queries_as_adding_a_few(catalog, sales_rep):
    skus = ["SEAT-USER", "SEAT-SSO", "API-CALLS", "STORAGE-GB", "ONBOARDING", "DEVICE-GW"]

    def add(count):
        quote = draft_quote(sales_rep)
        items = [services.LineItem(product=product(skus[n % len(skus)]), quantity=D(1 + n))
                 for n in range(count)]
        with CaptureQueriesContext(connection) as context:
            services.add_lines(quote=quote, items=items, by=sales_rep)
        return len(context)

    # (40 lines: one insert batch even on SQLite, which binds at most 999 values a query)
    assert add(len(skus)) == add(40)
