"""Coupons on a quote (issue 17): the rep applies a code on the builder; it is checked (window,
currency, products, limit counting redemptions made, stacking), its discount shown per line and
in the totals (tax on what is left), on the page and the PDF; the customer's acceptance redeems
it, and its limit holds when two customers accept at once.

Figures: 10 seats at $30 a month, 15% off ($255.00 a month, $3,060.00 over 12 months), and
onboarding at $5,000.00 once; TCV $8,060.00 before coupons."""

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from catalog.demo import seed_catalog
from catalog.models import Coupon, Product
from q2c import flows
from quotes import services
from quotes.models import QuoteCoupon, QuoteState
from quotes.pdf import render_quote_html
from quotes.services.sending import quote_link_token
from tests.conftest import reseed_migration_data
from tests.quotes.sent_quotes import CREATED_ON, approved_quote

pytestmark = pytest.mark.django_db


def coupon(code: str, *, skus=(), **terms) -> Coupon:
    made = Coupon.objects.create(code=code, name=code.title(), **terms)
    made.products.set(Product.objects.filter(sku__in=skus))
    return made


@pytest.fixture
def draft(sales_rep):
    return approved_quote(owner=sales_rep, state=QuoteState.DRAFT)


def applied(quote, code: str, by):
    services.apply_coupon(quote=quote, code=code, by=by, on=CREATED_ON)
    quote.refresh_from_db()
    return quote


def test_a_repeating_coupon_of_seats_shows_per_line_and_in_the_totals(draft, sales_rep):
    # Stripe's "20% off for 3 months" (duration repeating, duration_in_months 3), limited to
    # the seats product (applies_to.products): 3 × 20% of $255.00 = $153.00
    coupon("SPRING", skus=["SEAT-USER"], percent_off=D(20), duration="repeating", periods=3)
    before = draft.total_contract_value

    quote = applied(draft, "spring ", sales_rep)

    seats, onboarding = quote.lines.order_by("position")
    assert (seats.coupon_amount, onboarding.coupon_amount) == (D("153.00"), D("0.00"))
    assert (before, quote.coupon_total, quote.total_contract_value) == (
        D("8060.00"), D("153.00"), D("7907.00"))
    assert quote.coupons.get().discount_amount == D("153.00")
    assert seats.net_amount == D("3060.00")  # the line's own price; the coupon is beside it


def test_a_once_amount_coupon_is_spread_over_the_first_charges(draft, sales_rep):
    # Chargebee's one_time coupon: $100 off the first invoice, spread over its charges ($255
    # of seats and $5,000 of onboarding) by largest remainder
    coupon("WELCOME", amount_off=D(100), currency="USD")

    quote = applied(draft, "WELCOME", sales_rep)

    assert list(quote.lines.order_by("position").values_list("coupon_amount", flat=True)) == [
        D("4.85"), D("95.15")]
    assert (quote.one_time_total, quote.total_contract_value) == (D("4904.85"), D("7960.00"))


def test_tax_is_on_what_the_coupon_leaves(draft, sales_rep):
    coupon("HALF", percent_off=D(50))
    taxed_before = draft.tax_estimate

    quote = applied(draft, "HALF", sales_rep)

    assert quote.tax_estimate < taxed_before or taxed_before == 0


@pytest.mark.parametrize(("terms", "reason"), [
    ({"percent_off": D(10), "valid_until": date(2026, 11, 1)}, "X expired on 2026-11-01."),
    ({"percent_off": D(10), "valid_from": date(2027, 1, 1)},
     "X can be redeemed from 2027-01-01."),
    ({"amount_off": D(10), "currency": "EUR"}, "X takes off EUR, not USD."),
    ({"percent_off": D(10), "currencies": "EUR,GBP"}, "X is not offered in USD."),
    ({"percent_off": D(10), "skus": ["SEAT-SSO"]}, "X applies to none of these products."),
])
def test_a_coupon_that_does_not_fit_is_refused_by_its_field(draft, sales_rep, terms, reason):
    coupon("X", **terms)

    with pytest.raises(ValidationError) as refused:
        services.apply_coupon(quote=draft, code="X", by=sales_rep, on=CREATED_ON)

    assert refused.value.message_dict == {"code": [reason]}
    assert not QuoteCoupon.objects.exists()


def test_unknown_and_inactive_codes_and_stacking_are_refused(draft, sales_rep):
    coupon("OLD", percent_off=D(10), active=False)
    coupon("SOLO", percent_off=D(10), stackable=False)
    coupon("MORE", percent_off=D(5))
    for code, reason in [("NOPE", "There is no coupon NOPE."),
                         ("old", "There is no coupon OLD.")]:
        with pytest.raises(ValidationError, match=reason):
            services.apply_coupon(quote=draft, code=code, by=sales_rep)
    applied(draft, "SOLO", sales_rep)

    with pytest.raises(ValidationError) as refused:
        services.apply_coupon(quote=draft, code="MORE", by=sales_rep, on=CREATED_ON)

    assert refused.value.message_dict == {"code": ["MORE cannot be combined with other "
                                                   "coupons."]}


def test_the_limit_counts_redemptions_already_made(draft, sales_rep):
    limited = coupon("ONCE", percent_off=D(10), max_redemptions=1)
    other = approved_quote(owner=sales_rep, state=QuoteState.DRAFT)
    QuoteCoupon.objects.create(quote=other, coupon=limited, position=1, applied_by=sales_rep,
                               applied_on=CREATED_ON)  # applied, not redeemed: it is free
    applied(draft, "ONCE", sales_rep)
    QuoteCoupon.objects.filter(quote=other).update(redeemed_on=CREATED_ON)
    services.remove_coupon(quote=draft, coupon_id=limited.pk, by=sales_rep)

    with pytest.raises(ValidationError, match="ONCE has been redeemed 1 times, its limit."):
        services.apply_coupon(quote=draft, code="ONCE", by=sales_rep, on=CREATED_ON)
    draft.refresh_from_db()
    assert (draft.coupon_total, draft.total_contract_value) == (D("0.00"), D("8060.00"))


def test_the_builder_applies_a_coupon_with_htmx_and_says_why_one_is_refused(
        client, draft, sales_rep):
    coupon("SPRING", skus=["SEAT-USER"], percent_off=D(20), duration="repeating", periods=3)
    client.force_login(sales_rep)
    url = reverse("quotes:coupon_apply", args=[draft.pk])

    refused = client.post(url, {"code": "NOPE"}, HTTP_HX_REQUEST="true").content.decode()
    response = client.post(url, {"code": "SPRING"}, HTTP_HX_REQUEST="true")

    assert "There is no coupon NOPE." in refused
    page = response.content.decode()
    assert response["HX-Trigger"] == "quote-changed"
    assert 'data-coupon="SPRING"' in page and 'data-total="coupons">−$153.00' in page
    assert 'data-total="tcv">$7,907.00' in page and "coupons −$153.00" in page
    builder = client.get(reverse("quotes:builder", args=[draft.pk])).content.decode()
    assert "20% off, 3 billing periods" in builder


def test_the_pdf_shows_each_coupon_and_its_share_of_each_charge(draft, sales_rep):
    coupon("SPRING", skus=["SEAT-USER"], percent_off=D(20), duration="repeating", periods=3)
    quote = applied(draft, "SPRING", sales_rep)

    html = render_quote_html(quote)

    assert 'data-coupon="SPRING"' in html and "-$153.00" in html
    assert "$204.00" in html  # each of the first three months' seats: $255.00 less 20%
    assert "$7,907.00" in html


def _sent_with(owner, code: str):
    quote = approved_quote(owner=owner, state=QuoteState.DRAFT)
    services.apply_coupon(quote=quote, code=code, by=owner, on=CREATED_ON)
    services.submit_for_approval(quote=quote, by=owner, on=CREATED_ON)
    return services.send_quote(quote=quote, by=owner, on=CREATED_ON)


def _accept(quote):
    return flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                                   signer_title="CFO", consent=True, ip="203.0.113.9",
                                   user_agent="pytest", on=CREATED_ON)


def test_acceptance_redeems_and_a_full_coupon_refuses_the_next_acceptance(sales_rep):
    coupon("ONCE", percent_off=D(10), max_redemptions=1, skus=["SEAT-USER"])
    first, second = _sent_with(sales_rep, "ONCE"), _sent_with(sales_rep, "ONCE")

    _accept(first)

    assert QuoteCoupon.objects.get(quote=first).redeemed_on == CREATED_ON
    with pytest.raises(ValidationError, match="The coupon ONCE has been redeemed as often"):
        _accept(second)
    second.refresh_from_db()
    assert second.state == QuoteState.SENT
    assert QuoteCoupon.objects.get(quote=second).redeemed_on is None


@pytest.mark.postgres("row locks; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_two_customers_accepting_at_once_never_pass_the_limit(sales_rep):
    # given two sent quotes with the one coupon left (max_redemptions 1)
    reseed_migration_data()
    coupon("ONCE", percent_off=D(10), max_redemptions=1, skus=["SEAT-USER"])
    quotes = [_sent_with(sales_rep, "ONCE"), _sent_with(sales_rep, "ONCE")]
    accepted, refused, errors = [], [], []
    start = threading.Barrier(2)

    def worker(quote):
        try:
            start.wait()
            accepted.append(_accept(quote))
        except ValidationError as error:
            refused.append(error)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker, args=(quote,)) for quote in quotes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: the coupon row lock makes the second count the first's redemption
    assert not errors
    assert (len(accepted), len(refused)) == (1, 1)
    assert QuoteCoupon.objects.filter(redeemed_on__isnull=False).count() == 1


def test_the_customer_sees_the_coupon_on_their_quote_page(client, sales_rep, time_machine):
    seed_catalog()  # the coupon names its product
    coupon("SPRING", skus=["SEAT-USER"], percent_off=D(20), duration="repeating", periods=3)
    quote = _sent_with(sales_rep, "SPRING")
    time_machine.move_to(CREATED_ON)

    page = client.get(reverse("portal:quote", args=[quote_link_token(quote)])).content.decode()

    assert "<th>Coupons</th><td class=\"num\">−$153.00</td>" in page
    assert "(coupons −$153.00)" in page


def test_a_large_coupon_on_a_small_line_discount_needs_approval(draft, sales_rep):
    # 15% off the seats passes the seeded 20% line-discount rule (the fixture is approved at
    # once); a forever 50% coupon on top gives away 57.5% of the seats' list (540.00 + 1,530.00
    # of 3,600.00), as a Stripe `forever` percent_off coupon discounts every invoice
    coupon("HALF", skus=["SEAT-USER"], percent_off=D(50), duration="forever")
    quote = applied(draft, "HALF", sales_rep)

    services.submit_for_approval(quote=quote, by=sales_rep, on=CREATED_ON)
    quote.refresh_from_db()

    assert quote.state == QuoteState.PENDING_APPROVAL
    (request,) = quote.approval_requests.all()
    assert "Line 1 SEAT-USER: 57.5% off (above 20.0%)" in request.reasons[0]
    assert "(1,530.00 USD by coupons)" in request.reasons[0]


def test_a_coupon_goes_only_on_a_draft_as_a_line_edit_does(sales_rep):
    # an approved quote is not changed in place: revise it (a new draft, approved again)
    quote = approved_quote(owner=sales_rep)
    coupon("HALF", percent_off=D(50))
    with pytest.raises(ValidationError, match="Only draft quotes can be changed"):
        services.apply_coupon(quote=quote, code="HALF", by=sales_rep, on=CREATED_ON)
    with pytest.raises(ValidationError, match="Only draft quotes can be changed"):
        services.update_line(line=quote.lines.first(), by=sales_rep, quantity=D(11))


def test_the_deal_desk_shows_the_coupon_in_the_discount_margin_and_schedule(
        client, draft, sales_rep):
    # after a forever 50% coupon on the seats: 2,070.00 of 8,600.00 list given away (24.1%),
    # 1,530.00 of it by the coupon; margin on 6,530.00 net of coupons against a cost of
    # 2,740.00 (10 seats × $2 × 12 months + onboarding $2,500) is 58.0%
    coupon("HALF", skus=["SEAT-USER"], percent_off=D(50), duration="forever")
    quote = applied(draft, "HALF", sales_rep)
    client.force_login(sales_rep)

    desk = client.get(reverse("quotes:deal_desk", args=[quote.pk])).content.decode()

    assert ('data-desk="discount">24.1% of list: $2,070.00, of which coupons −$1,530.00'
            in desk)
    assert "58.0%: net of coupons $6,530.00 against a cost of $2,740.00" in desk
    # billing, revenue and cash are the contract's schedule, which the coupon is taken off
    assert 'data-desk="price">$6,530.00' in desk
