"""The demo history redeems coupons (issue 17): one new deal in five applies WELCOME10 and one
annual deal in three ANNUAL5, drawn from the seeded random, and a code the catalog does not hold
yet is skipped, so the demo runs before and after the demo catalog offers it. The redemption path
is tested with coupons of our own, made here."""

import random
from decimal import Decimal as D

import pytest

from catalog.models import Coupon, Product
from q2c.demo_history import (
    ANNUAL_CODE,
    WELCOME_CODE,
    DemoHistory,
    redeem_if_known,
)
from quotes import services
from quotes.models import QuoteCoupon, QuoteState
from tests.quotes.sent_quotes import CREATED_ON, approved_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(sales_rep):
    return approved_quote(owner=sales_rep, state=QuoteState.DRAFT)


def own_coupon(code: str, **terms) -> Coupon:
    Coupon.objects.filter(code=code).delete()  # the demo catalog may hold it already
    return Coupon.objects.create(code=code, name=code.title(), **terms)


def history() -> DemoHistory:
    made = DemoHistory.__new__(DemoHistory)  # only the seeded random is needed here
    made.rng = random.Random(20241101)
    return made


def test_an_unknown_code_is_skipped_and_the_quote_left_as_it_was(draft, sales_rep):
    QuoteCoupon.objects.all().delete()
    Coupon.objects.filter(code=WELCOME_CODE).update(code="OTHER-WELCOME")

    assert redeem_if_known(draft, WELCOME_CODE, by=sales_rep, on=CREATED_ON) is False

    draft.refresh_from_db()
    assert (draft.coupons.count(), draft.coupon_total) == (0, D("0.00"))


def test_a_known_code_is_applied_and_redeemed_when_the_customer_accepts(draft, sales_rep):
    own_coupon(WELCOME_CODE, percent_off=D(10), duration="once")

    assert redeem_if_known(draft, WELCOME_CODE, by=sales_rep, on=CREATED_ON) is True

    draft.refresh_from_db()
    # 10% of the first month's $255.00 seats and of the $5,000.00 onboarding
    assert draft.coupon_total == D("525.50")
    assert draft.coupons.get().coupon.code == WELCOME_CODE


def test_a_code_its_rules_refuse_here_is_skipped(draft, sales_rep):
    annual = own_coupon(ANNUAL_CODE, percent_off=D(5), duration="forever")
    annual.products.set(Product.objects.filter(sku="PLAT-ENT"))  # not on this quote

    assert redeem_if_known(draft, ANNUAL_CODE, by=sales_rep, on=CREATED_ON) is False
    assert not draft.coupons.exists()


def test_a_coupon_over_the_threshold_still_goes_through_approval(draft, sales_rep):
    # 15% on the seats and 10% once: the seats' line gives more than 20% away in its first
    # month only, under the rule over the term; 50% forever sends it to approval, as the demo's
    # approvers expect
    own_coupon(WELCOME_CODE, percent_off=D(50), duration="forever")
    redeem_if_known(draft, WELCOME_CODE, by=sales_rep, on=CREATED_ON)

    services.submit_for_approval(quote=draft, by=sales_rep, on=CREATED_ON)

    draft.refresh_from_db()
    assert draft.state == QuoteState.PENDING_APPROVAL


def test_one_deal_in_five_welcomes_and_the_draws_do_not_depend_on_the_deal():
    demo = history()
    monthly = [demo.coupon_codes(annual=False) for _ in range(500)]
    demo = history()
    annual = [demo.coupon_codes(annual=True) for _ in range(500)]

    welcomed = sum(WELCOME_CODE in codes for codes in monthly)
    assert 70 <= welcomed <= 130  # about 100 in 500
    assert not any(ANNUAL_CODE in codes for codes in monthly)
    # the same seeded draws: the same deals are welcomed whether annual or not
    assert [WELCOME_CODE in c for c in annual] == [WELCOME_CODE in c for c in monthly]
    assert 120 <= sum(ANNUAL_CODE in codes for codes in annual) <= 210  # about 167
