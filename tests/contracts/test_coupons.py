"""A quote's coupons carried to its contract (issue 17): the stored charge schedule takes each
coupon off for its duration (once: the first billing period; N periods; forever), so billing
and revenue read discounted rows without knowing of coupons, and the contract's value is the
quote's to the minor unit. Durations as Stripe's coupon `duration` (once, repeating with
`duration_in_months`, forever; https://docs.stripe.com/api/coupons/object) and Chargebee's
`duration_type` (one_time, limited_period, forever; https://apidocs.chargebee.com/docs/api/coupons).

The deal: 10 seats at $30 a month, 15% off ($255.00 a month from 1 December 2026, 12 months)
and onboarding at $5,000.00 once."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from catalog.models import Coupon, Product
from contracts.models import Contract, ScheduledCharge
from q2c import flows
from quotes import services as quote_services
from quotes.models import QuoteState
from quotes.services.sending import quote_link_token
from revrec.selectors import scheduled_totals
from tests.quotes.sent_quotes import CREATED_ON, approved_quote

pytestmark = pytest.mark.django_db


def contract_with(owner, *, skus=("SEAT-USER",), **terms) -> tuple:
    quote = approved_quote(owner=owner, state=QuoteState.DRAFT)
    coupon = Coupon.objects.create(code="DEAL", name="Launch offer", **terms)
    coupon.products.set(Product.objects.filter(sku__in=skus))
    quote_services.apply_coupon(quote=quote, code="DEAL", by=owner, on=CREATED_ON)
    quote_services.submit_for_approval(quote=quote, by=owner, on=CREATED_ON)
    quote = quote_services.send_quote(quote=quote, by=owner, on=CREATED_ON)
    quote = flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                                    signer_title="CFO", consent=True, ip="203.0.113.9",
                                    user_agent="pytest", on=CREATED_ON)
    return quote, Contract.objects.get(quote=quote)


def seat_rows(contract) -> list[D]:
    return list(ScheduledCharge.objects.filter(line__contract=contract,
                                               line__product__sku="SEAT-USER")
                .order_by("period_start").values_list("amount", flat=True))


def test_once_takes_the_coupon_off_the_first_billing_period_only(sales_rep):
    # Stripe duration "once" / Chargebee "one_time": 50% off the first invoice's seats
    quote, contract = contract_with(sales_rep, percent_off=D(50), duration="once")

    assert seat_rows(contract) == [D("127.50")] + [D("255.00")] * 11
    first = ScheduledCharge.objects.filter(line__contract=contract).order_by(
        "period_start", "pk").first()
    assert first.explanation.endswith("; coupons −$127.50")


def test_n_periods_take_it_off_the_first_n(sales_rep):
    # Stripe "repeating" with duration_in_months 3 / Chargebee "limited_period" of 3 months
    quote, contract = contract_with(sales_rep, percent_off=D(20), duration="repeating",
                                    periods=3)

    assert seat_rows(contract) == [D("204.00")] * 3 + [D("255.00")] * 9
    seats = contract.lines.get(product__sku="SEAT-USER")
    assert (seats.net_amount, seats.discount_amount) == (D("2907.00"), D("693.00"))


def test_forever_takes_it_off_every_period_and_the_values_agree(sales_rep):
    # 5% forever on every product: with the seats' own 15% the line gives 19.25% away, under
    # the 20% that would send the quote to approval (coupons count as discount there)
    quote, contract = contract_with(sales_rep, percent_off=D(5), duration="forever", skus=())

    assert seat_rows(contract) == [D("242.25")] * 12
    onboarding = ScheduledCharge.objects.get(line__contract=contract,
                                             line__product__sku="ONBOARDING")
    assert onboarding.amount == D("4750.00")
    total = sum(ScheduledCharge.objects.filter(line__contract=contract)
                .values_list("amount", flat=True), D(0))
    assert total == contract.total_contract_value == quote.total_contract_value == D("7657.00")
    # revenue's transaction price is read from the rows: the coupon lowers the price that is
    # allocated to the obligations (IFRS 15.81-86), it is never booked as an expense
    seats = contract.lines.get(product__sku="SEAT-USER")
    assert scheduled_totals([contract.pk])[seats.pk] == (D("2907.00"), D("2907.00"))


def test_the_contract_page_names_the_coupon(client, sales_rep):
    quote, contract = contract_with(sales_rep, percent_off=D(20), duration="repeating",
                                    periods=3)
    client.force_login(sales_rep)

    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert 'data-coupon="DEAL"' in page and "20% off, 3 billing periods" in page
    assert "−$153.00 over the term" in page
