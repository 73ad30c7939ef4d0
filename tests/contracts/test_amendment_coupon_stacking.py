"""A coupon that does not stack is used alone (issue 17), also across an amendment: a code
entered on an amendment quote is refused at its field when a coupon running on the contract's
lines on the effective date does not stack (or when the code itself does not stack and one
runs), and nothing is saved. The rule is `catalog.coupons.coupon_problems`' ("a coupon that does
not stack is used alone"), as Chargebee's and Stripe's stacking of several discounts on a
subscription is a choice made per coupon; an amendment's code meets the contract's running
coupons as a new quote's code meets the quote's."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Product
from quotes import services as quote_services
from quotes.models import QuoteCoupon
from tests.contracts.test_amendment_coupons import amendment_quote, contract_with, coupon

pytestmark = pytest.mark.django_db


def test_a_code_on_an_amendment_is_refused_when_the_contracts_coupon_does_not_stack(
        sales_rep, finance):
    # given: 5% forever on seats that does not stack, running on the contract
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "LOYAL", percent_off=D(5), duration="forever", stackable=False))
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2)
    amendment, quote = amendment_quote(contract, sales_rep, D(8))

    # when
    with pytest.raises(ValidationError) as refused:
        quote_services.apply_coupon(quote=quote, code="GROW20", by=sales_rep)

    # then: at the field, in words, and nothing saved
    assert refused.value.message_dict == {"code": [
        "GROW20 cannot be combined with LOYAL, which runs on this contract's lines and does "
        "not stack: a coupon that does not stack is used alone."]}
    assert not QuoteCoupon.objects.filter(quote=quote).exists()


def test_a_code_that_does_not_stack_is_refused_while_a_contract_coupon_runs(sales_rep, finance):
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "LOYAL", percent_off=D(5), duration="forever"))
    coupon("SOLO", percent_off=D(10), duration="forever", stackable=False)
    amendment, quote = amendment_quote(contract, sales_rep, D(8))

    with pytest.raises(ValidationError, match="SOLO cannot be combined with LOYAL"):
        quote_services.apply_coupon(quote=quote, code="SOLO", by=sales_rep)
    assert not QuoteCoupon.objects.filter(quote=quote).exists()


def test_a_contract_coupon_that_has_run_out_does_not_block_the_code(sales_rep, finance):
    # a once coupon was used on December's invoice; by 15 March it runs no more
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "FIRST", percent_off=D(50), duration="once", stackable=False))
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2)
    amendment, quote = amendment_quote(contract, sales_rep, D(8))

    quote_services.apply_coupon(quote=quote, code="GROW20", by=sales_rep)

    assert QuoteCoupon.objects.filter(quote=quote, coupon__code="GROW20").exists()


def _with_sso(owner, finance):
    """The contract with 5 SSO seats besides the user seats, LOYAL (5 % forever, does not
    stack) on the SSO seats only."""
    from catalog.demo import seed_catalog
    from tests.contracts.factories import active_contract

    seed_catalog()
    coupon("LOYAL", percent_off=D(5), duration="forever", stackable=False, skus=("SEAT-SSO",))
    sso = quote_services.LineItem(product=Product.objects.get(sku="SEAT-SSO"), quantity=D(5))
    return active_contract(owner, by=finance, coupons=["LOYAL"], extra=[sso])


def test_only_the_coupons_on_the_lines_the_amendment_changes_count(sales_rep, finance):
    # given: LOYAL runs on the SSO seats; the amendment changes the user seats only
    contract = _with_sso(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2)
    amendment, quote = amendment_quote(contract, sales_rep, D(8))

    # when: GROW20 would discount the user seats, where LOYAL does not run
    quote_services.apply_coupon(quote=quote, code="GROW20", by=sales_rep)

    # then
    assert QuoteCoupon.objects.filter(quote=quote, coupon__code="GROW20").exists()


def test_a_coupon_on_a_changed_line_still_counts(sales_rep, finance):
    # given: the amendment changes the SSO seats too, where LOYAL runs
    contract = _with_sso(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2, skus=())
    amendment, quote = amendment_quote(contract, sales_rep, D(8))
    quote_services.update_line(line=quote.lines.get(product__sku="SEAT-SSO"), by=sales_rep,
                               quantity=D(9))

    # when / then
    with pytest.raises(ValidationError, match="GROW20 cannot be combined with LOYAL"):
        quote_services.apply_coupon(quote=quote, code="GROW20", by=sales_rep)


def test_changing_a_line_after_the_code_brings_its_coupon_into_the_rule(sales_rep, finance):
    # given: GROW20 applied while only the user seats change
    contract = _with_sso(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2, skus=())
    amendment, quote = amendment_quote(contract, sales_rep, D(8), codes=["GROW20"])
    # when: the SSO seats, where LOYAL runs, change too
    quote_services.update_line(line=quote.lines.get(product__sku="SEAT-SSO"), by=sales_rep,
                               quantity=D(9))

    # then: submitting is refused, in the rule's words
    with pytest.raises(ValidationError, match="GROW20 cannot be combined with LOYAL"):
        quote_services.submit_for_approval(quote=quote, by=sales_rep)
