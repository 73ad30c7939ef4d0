"""Coupons on amendments (issue 17). A rep applies a code on an amendment quote as on a new one;
it takes its discount off what the amendment adds or changes only, its duration counted from the
effective date, and the approval rules count it. A coupon already on the contract keeps running
on the lines it covered and on the lines that replace them, with the periods it has already run:
an amendment neither drops nor restarts it.

Why a forever coupon covers the seats an amendment adds: Stripe keeps a subscription's discount
through `update subscription` ("Applying discounts" and "Setting quantities" are both updates of
the same subscription, https://docs.stripe.com/billing/subscriptions/change), and a coupon's
`applies_to` "limits the items in an invoice that the coupon can apply to"
(https://stripe.com/docs/billing/subscriptions/discounts): the discount is on the item's amount,
whatever its quantity, as long as the coupon applies to the item's product. A once coupon used on
the first invoice is not used again, and a repeating coupon applies "for duration_in_months from
redemption" (a coupon of two months "will be applied to all invoices generated ... in the 2
months from when the coupon gets added"), so it is counted from the contract's start, not
restarted. Unlike Stripe, whose proration line items ignore discounts and so claw back an unused
discount (the "Update a subscription with a previous coupon applied" thread on Stripe's
api-discuss list), the credit for the old seats is of what their stored rows charged, coupon off.

The contract: 5 seats at $30 a month, 15% off ($127.50 a month from 1 December 2026 to 30
November 2027) and onboarding. The amendment from 15 March 2027 sets 8 seats ($204.00 a month;
15 to 31 March is 17/31 of it, $111.87)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Coupon, Product
from contracts import services
from contracts.models import ContractCoupon, ScheduledCharge
from quotes import services as quote_services
from quotes.models import QuoteCoupon, QuoteState
from quotes.services.coupons import redemptions_of
from tests.contracts.factories import ON, active_contract
from tests.contracts.test_amendments import EFFECTIVE, accept

pytestmark = pytest.mark.django_db


def coupon(code: str, *, skus=("SEAT-USER",), **terms) -> Coupon:
    made = Coupon.objects.create(code=code, name=code.title(), **terms)
    made.products.set(Product.objects.filter(sku__in=skus))
    return made


def contract_with(owner, finance, *coupons):
    from catalog.demo import seed_catalog

    seed_catalog()
    codes = [made().code for made in coupons]
    return active_contract(owner, by=finance, coupons=codes)


def amendment_quote(contract, owner, seats: D, codes=()):
    amendment = services.start_amendment(contract=contract, by=owner, effective_on=EFFECTIVE,
                                         on=ON)
    quote = amendment.quote
    line = quote.lines.get(product__sku="SEAT-USER")
    quote_services.update_line(line=line, by=owner, quantity=seats)
    for code in codes:
        quote_services.apply_coupon(quote=quote, code=code, by=owner, on=ON)
    quote.refresh_from_db()
    return amendment, quote


def applied(amendment, owner):
    quote = amendment.quote
    quote_services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED
    quote_services.send_quote(quote=quote, by=owner, on=ON)
    accept(quote)
    amendment.refresh_from_db()
    return amendment


def new_seat_rows(amendment) -> list[D]:
    return list(ScheduledCharge.objects.filter(line__amendment=amendment,
                                               line__product__sku="SEAT-USER")
                .order_by("period_start").values_list("amount", flat=True))


def test_an_amendment_coupon_takes_off_the_changed_seats_from_the_effective_date(
        sales_rep, finance):
    # given: Stripe's "repeating" for 2 months (Chargebee limited_period 2), counted from the
    # amendment's effective date: the part March and April
    contract = contract_with(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2)

    # when
    amendment, quote = amendment_quote(contract, sales_rep, D(8), codes=["grow20"])
    amendment = applied(amendment, sales_rep)

    # then: 20% of $111.87 is $22.37, of $204.00 $40.80
    seats = quote.lines.get(product__sku="SEAT-USER")
    assert (seats.coupon_amount, quote.coupon_total) == (D("63.17"), D("63.17"))
    assert new_seat_rows(amendment) == [D("89.50"), D("163.20")] + [D("204.00")] * 7
    redemption = QuoteCoupon.objects.get(quote=quote)
    assert redemption.redeemed_on == ON and redemptions_of([redemption.coupon_id])[
        redemption.coupon_id] == 1
    running = ContractCoupon.objects.get(contract=contract)
    assert (running.counts_from, running.amendment, list(running.lines.all())) == (
        EFFECTIVE, amendment, list(contract.lines.filter(amendment=amendment)))
    # the amendment's value is what its rows charge after the coupon
    change = next(c for c in amendment.proration if c["product"].startswith("User seat"))
    assert D(change["charge"]) == sum(new_seat_rows(amendment), D(0))


def test_the_coupon_applies_to_what_the_amendment_changes_only(sales_rep, finance):
    # given: 8 seats and an unchanged second product would both be on the quote; here the
    # quote's only other line is unchanged, so nothing is refused until seats change
    contract = contract_with(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="forever", skus=())
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)

    # when / then: nothing changed yet
    with pytest.raises(ValidationError, match="applies to what it changes"):
        quote_services.apply_coupon(quote=amendment.quote, code="GROW20", by=sales_rep, on=ON)


def test_approvals_count_an_amendment_coupon(sales_rep, finance):
    # 15% on the seats and 10% forever: 23.5% given away, above the 20% the default line
    # discount rule allows a rep; without the coupon the amendment is approved at once
    contract = contract_with(sales_rep, finance)
    coupon("TEN", percent_off=D(10), duration="forever")
    amendment, quote = amendment_quote(contract, sales_rep, D(8), codes=["TEN"])

    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)

    quote.refresh_from_db()
    assert quote.state == QuoteState.PENDING_APPROVAL
    [request] = quote.approval_requests.all()
    assert any("coupon" in reason for reason in request.reasons)


def test_a_forever_coupon_on_the_contract_covers_the_seats_an_amendment_adds(
        sales_rep, finance):
    # given: 5% forever on seats (Stripe duration "forever", applies_to the seats product)
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "LOYAL", percent_off=D(5), duration="forever"))
    old = contract.lines.get(product__sku="SEAT-USER")

    # when
    amendment = applied(amendment_quote(contract, sales_rep, D(8))[0], sales_rep)

    # then: 5% of $111.87 is $5.59, of $204.00 $10.20: every new row, on all 8 seats
    assert new_seat_rows(amendment) == [D("106.28")] + [D("193.80")] * 8
    running = ContractCoupon.objects.get(contract=contract)
    new = contract.lines.get(amendment=amendment)
    assert set(running.lines.all()) == {old, new}
    assert running.counts_from == date(2026, 12, 1)  # not restarted
    assert redemptions_of([running.coupon_id])[running.coupon_id] == 1  # not redeemed again


def test_a_once_coupon_is_not_restarted_by_an_amendment(sales_rep, finance):
    # Stripe "once": the first invoice only, long billed by March
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "FIRST", percent_off=D(50), duration="once"))

    amendment = applied(amendment_quote(contract, sales_rep, D(8))[0], sales_rep)

    assert new_seat_rows(amendment) == [D("111.87")] + [D("204.00")] * 8


def test_a_repeating_coupon_runs_its_remaining_periods_on_the_new_seats(sales_rep, finance):
    # given: 5% for 4 periods from 1 December: December, January, February and March; the
    # amendment from 15 March falls inside March, the fourth
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "FOUR", percent_off=D(5), duration="repeating", periods=4))

    amendment = applied(amendment_quote(contract, sales_rep, D(8))[0], sales_rep)

    assert new_seat_rows(amendment) == [D("106.28")] + [D("204.00")] * 8


def test_the_amendment_document_shows_the_charge_net_of_coupons(sales_rep, finance):
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "LOYAL", percent_off=D(5), duration="forever"))
    amendment, _ = amendment_quote(contract, sales_rep, D(8))

    [change] = services.amendment_changes(amendment)

    assert change.charge.amount == D("106.28") + 8 * D("193.80")
    assert "coupons" in " ".join(c.explanation for c in change.charge.rows)


def test_the_contract_page_names_the_amendment_coupon(client, sales_rep, finance):
    contract = contract_with(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2)
    amendment, _ = amendment_quote(contract, sales_rep, D(8), codes=["GROW20"])
    applied(amendment, sales_rep)
    client.force_login(sales_rep)

    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert 'data-coupon-running="amendment"' in page
    assert "2 billing periods counted from 2027-03-15" in page


def test_the_charge_explanation_says_what_the_coupons_take_off(sales_rep, finance):
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "LOYAL", percent_off=D(5), duration="forever"))
    amendment, _ = amendment_quote(contract, sales_rep, D(8))

    [change] = services.amendment_changes(amendment)

    # 5% of $111.87 and of 8 × $204.00: $5.59 + $81.60
    assert change.charge.explanation.endswith(
        "8 periods × $204.00 = $1,743.87 − coupons $87.19 = $1,656.68")
