"""The amendment builder's coupon box (issue 17): the rep applies a code to an amendment quote
with htmx as on a new quote; the page and the answer cost the same number of queries with one
changed line or three; roles without the right to change quotes are refused."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Coupon, Product
from contracts import services
from quotes import services as quote_services
from quotes.models import QuoteCoupon
from tests.contracts.factories import ON, active_contract

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2027, 3, 15)


def amendment_with_seats_changed(owner, finance, seat_lines: int):
    contract = active_contract(owner, by=finance, seat_lines=seat_lines)
    amendment = services.start_amendment(contract=contract, by=owner, effective_on=EFFECTIVE,
                                         on=ON)
    for line in amendment.quote.lines.all():
        quote_services.update_line(line=line, by=owner, quantity=line.quantity + 2)
    made = Coupon.objects.get_or_create(code="GROW", defaults={
        "name": "Growth", "percent_off": D(10), "duration": "forever"})[0]
    made.products.set(Product.objects.filter(sku="SEAT-USER"))
    return amendment.quote


def queries(client, method: str, url: str, data=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_amendment_builder_applies_a_coupon_at_a_constant_query_count(
        client, sales_rep, finance):
    client.force_login(sales_rep)
    counts = {}
    for seat_lines in (1, 3):
        quote = amendment_with_seats_changed(sales_rep, finance, seat_lines)
        applied, answer = queries(client, "post",
                                  reverse("quotes:coupon_apply", args=[quote.pk]),
                                  {"code": "grow"})
        shown, page = queries(client, "get", reverse("quotes:builder", args=[quote.pk]))
        counts[seat_lines] = (applied, shown)
        assert 'data-coupon="GROW"' in answer and "coupons −" in answer
        assert 'id="quote-coupons"' in page and 'data-coupon="GROW"' in page
        assert QuoteCoupon.objects.filter(quote=quote).count() == 1
    assert counts[1] == counts[3]


@pytest.mark.parametrize(("role", "status"), [("catalog_admin", 403), ("accountant", 403)])
def test_roles_that_do_not_change_quotes_cannot_apply_a_coupon(client, role_users, sales_rep,
                                                               finance, role, status):
    quote = amendment_with_seats_changed(sales_rep, finance, 1)
    client.force_login(role_users[role])

    response = client.post(reverse("quotes:coupon_apply", args=[quote.pk]), {"code": "GROW"})

    assert response.status_code == status
    assert not QuoteCoupon.objects.filter(quote=quote).exists()


def test_another_rep_cannot_apply_a_coupon_on_this_amendment(client, other_rep, sales_rep,
                                                             finance):
    quote = amendment_with_seats_changed(sales_rep, finance, 1)
    client.force_login(other_rep)

    response = client.post(reverse("quotes:coupon_apply", args=[quote.pk]), {"code": "GROW"})

    assert response.status_code in (403, 404)
    assert not QuoteCoupon.objects.filter(quote=quote).exists()
