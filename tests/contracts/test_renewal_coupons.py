"""Coupons carried into renewals by the renewal task (issue 17): a forever coupon carries into
the renewal term, a repeating coupon only its remaining periods, a once coupon not at all. Stripe:
"a forever coupon applies to every invoice; repeating applies for duration_in_months from
redemption" (coupon `duration`, https://docs.stripe.com/api/coupons/object), and a coupon's
limits bound when it can be redeemed, not how long a redeemed one lasts ("any customer given that
coupon will have that coupon's discount forever, but no new customers can apply the coupon after"
its redeem_by date; https://stripe.com/docs/billing/subscriptions/discounts). Chargebee counts a
`limited_period` coupon's billing cycles from when it was applied, whatever the term.

So carrying a coupon into a renewal is not a new redemption: the renewal names the same
redemption, redeems nothing, and a coupon at its `max_redemptions` still carries.

The contract: 5 seats at $30 a month, 15% off, from 1 December 2026 to 30 November 2027, 5%
uplift: the renewal's seats are $133.87 a month."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from catalog.models import Coupon, Product
from contracts import services
from contracts.models import Contract, ContractCoupon, Renewal, ScheduledCharge
from core.actors import Actor
from q2c import flows
from quotes import services as quote_services
from quotes.models import QuoteCoupon
from quotes.services.coupons import redemptions_of
from quotes.services.sending import quote_link_token
from tests.contracts.factories import ON, active_contract

pytestmark = pytest.mark.django_db

RENEWAL_START = date(2027, 12, 1)


def contract_with(owner, finance, **terms) -> Contract:
    from catalog.demo import seed_catalog

    seed_catalog()
    made = Coupon.objects.create(code="DEAL", name="Deal", **terms)
    made.products.set(Product.objects.filter(sku__in=["SEAT-USER"]))
    contract = active_contract(owner, by=finance, coupons=["DEAL"])
    Contract.objects.filter(pk=contract.pk).update(uplift_percent=D(5),
                                                  renewal_notice_days=60)
    contract.refresh_from_db()
    return contract


def renewed(contract) -> Contract:
    services.process_renewals(by=Actor.task("process_renewals"), on=RENEWAL_START)
    return Contract.objects.get(renews=contract)


def seat_rows(contract) -> list[D]:
    return list(ScheduledCharge.objects.filter(line__contract=contract,
                                               line__product__sku="SEAT-USER")
                .order_by("period_start").values_list("amount", flat=True))


def test_a_forever_coupon_carries_into_the_renewal_term(sales_rep, finance):
    # given
    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="forever")
    redemption = QuoteCoupon.objects.get(quote=contract.quote)

    # when
    new = renewed(contract)

    # then: 5% of $133.87 is $6.69, every month
    assert seat_rows(new) == [D("127.18")] * 12
    assert new.total_contract_value == 12 * D("127.18")
    carried = ContractCoupon.objects.get(contract=new)
    assert (carried.redemption, carried.counts_from) == (redemption, date(2026, 12, 1))
    assert list(carried.lines.all()) == list(new.lines.all())


def test_a_repeating_coupon_carries_only_its_remaining_periods(sales_rep, finance):
    # 14 billing periods from December 2026: twelve in the first term, two left
    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="repeating",
                             periods=14)

    new = renewed(contract)

    assert seat_rows(new) == [D("127.18")] * 2 + [D("133.87")] * 10


def test_a_once_coupon_does_not_carry(sales_rep, finance):
    contract = contract_with(sales_rep, finance, percent_off=D(50), duration="once")
    new = renewed(contract)

    assert seat_rows(new) == [D("133.87")] * 12
    assert not ContractCoupon.objects.filter(contract=new).exists()


def test_a_repeating_coupon_of_one_term_does_not_carry(sales_rep, finance):
    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="repeating",
                             periods=12)

    new = renewed(contract)

    assert seat_rows(new) == [D("133.87")] * 12
    assert not ContractCoupon.objects.filter(contract=new).exists()


def test_carrying_is_not_a_redemption_and_passes_a_coupon_at_its_limit(sales_rep, finance):
    # given: the coupon could be redeemed once, and was
    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="forever",
                             max_redemptions=1)
    coupon = Coupon.objects.get(code="DEAL")
    assert redemptions_of([coupon.pk])[coupon.pk] == 1

    # when
    new = renewed(contract)

    # then
    assert seat_rows(new)[0] == D("127.18")
    assert redemptions_of([coupon.pk])[coupon.pk] == 1


def test_the_renewal_quote_carries_the_coupon_and_accepting_it_redeems_nothing(
        sales_rep, finance):
    # given: 14 periods, twelve run by the end of the first term
    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="repeating",
                             periods=14)
    redemption = QuoteCoupon.objects.get(quote=contract.quote)

    # when: the run on the notice day makes the renewal quote
    services.process_renewals(by=Actor.task("process_renewals"), on=date(2027, 10, 1))

    # then: the quote shows it, with its two periods left
    quote = Renewal.objects.get(contract=contract).quote
    carried = QuoteCoupon.objects.get(quote=quote)
    assert (carried.carried_from, carried.periods) == (redemption, 2)
    assert quote.coupon_total == 2 * D("6.69")
    # and accepting it neither redeems it nor counts it
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)
    quote_services.send_quote(quote=quote, by=sales_rep, on=ON)
    quote.refresh_from_db()
    flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                            signer_title="CFO", consent=True, ip="203.0.113.9",
                            user_agent="pytest", on=date(2027, 10, 5))
    carried.refresh_from_db()
    assert carried.redeemed_on is None
    assert redemptions_of([redemption.coupon_id])[redemption.coupon_id] == 1
    new = Contract.objects.get(quote=quote)
    assert seat_rows(new) == [D("127.18")] * 2 + [D("133.87")] * 10
    assert ContractCoupon.objects.get(contract=new).redemption == redemption


def test_the_renewed_contract_and_the_renewal_quote_show_the_carried_coupon(
        client, sales_rep, finance):
    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="repeating",
                             periods=14)
    services.process_renewals(by=Actor.task("process_renewals"), on=date(2027, 10, 1))
    quote = Renewal.objects.get(contract=contract).quote
    client.force_login(sales_rep)

    builder = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()
    new = renewed(contract)  # the quote was not accepted: the contract renews itself
    page = client.get(reverse("contracts:detail", args=[new.pk])).content.decode()

    assert "carried from the contract it renews, not redeemed again: 2 billing periods left" \
        in builder
    assert 'data-coupon-running="carried"' in page
    assert "14 billing periods counted from 2026-12-01" in page


def test_contracts_made_before_contract_coupons_get_theirs_from_their_quote(sales_rep, finance):
    # given: a contract whose coupon was recorded only on its quote (before contracts 0008)
    from importlib import import_module

    from django.apps import apps

    contract = contract_with(sales_rep, finance, percent_off=D(5), duration="forever")
    ContractCoupon.objects.all().delete()

    # when
    import_module("contracts.migrations.0008_contract_coupons_from_quotes").record(apps, None)
    import_module("contracts.migrations.0008_contract_coupons_from_quotes").record(apps, None)

    # then: once, and the renewal carries it
    running = ContractCoupon.objects.get(contract=contract)
    assert list(running.lines.all()) == list(contract.lines.filter(product__sku="SEAT-USER"))
    assert seat_rows(renewed(contract)) == [D("127.18")] * 12
