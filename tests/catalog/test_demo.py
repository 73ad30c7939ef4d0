from datetime import date
from decimal import Decimal as D

import pytest

from catalog import coupons, pricing, selectors
from catalog.configuration import default_selections
from catalog.demo import seed_catalog
from catalog.models import (
    BundleComponent,
    ComponentPricing,
    Coupon,
    PriceBook,
    PriceBookEntry,
    PriceChange,
    Product,
    TaxRate,
)

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_is_valid_and_seeding_twice_changes_nothing():
    seed_catalog()
    counts = (Product.objects.count(), PriceBookEntry.objects.count(),
              PriceChange.objects.count(), TaxRate.objects.count())
    seed_catalog()
    assert counts == (Product.objects.count(), PriceBookEntry.objects.count(),
                      PriceChange.objects.count(), TaxRate.objects.count())
    assert set(PriceBook.objects.values_list("currency", flat=True)) == {"USD", "EUR", "GBP",
                                                                         "JPY", "CHF"}
    for model in (Product, PriceBook, PriceBookEntry, TaxRate, BundleComponent, Coupon):
        for obj in model.objects.all():
            obj.full_clean()
    for book in PriceBook.objects.all():
        for entry in selectors.entries_of(book):
            pricing.PriceSpec.from_dict(entry.snapshot())
    platform = Product.objects.get(sku="PLATFORM")
    config = selectors.configuration_of(platform)
    assert selectors.configuration_errors(
        product=platform, selections=default_selections(config)) == []


def test_a_demo_quote_prices_the_growth_bundle_with_support_on_top():
    # given the demo catalog and a quote for the Growth bundle plus 10 more seats and API calls
    seed_catalog()
    bundle = Product.objects.get(sku="BUNDLE-GROWTH")

    def spec(sku, period=None):
        product = Product.objects.get(sku=sku)
        return pricing.PriceSpec.from_dict(selectors.price_snapshot(
            product=product, currency="USD", billing_period=period))

    lines = [pricing.DocumentLine("bundle", pricing.LineInput(spec("BUNDLE-GROWTH"), D(1),
                                                              term_months=12),
                                  tags=bundle.tags)]
    for component in bundle.components.select_related("component"):
        sku = component.component.sku
        period = "annual" if sku != "ONBOARDING" else None
        lines.append(pricing.DocumentLine(
            sku, pricing.LineInput(spec(sku, period), component.quantity, term_months=12),
            tags=component.component.tags,
            included_in="bundle" if component.pricing == ComponentPricing.INCLUDED else None))
    seats = spec("SEAT-USER", "monthly")
    lines.append(pricing.DocumentLine("more-seats", pricing.LineInput(seats, D(10), term_months=12),
                                      tags=frozenset({"kind:subscription"})))
    lines.append(pricing.DocumentLine("api", pricing.LineInput(
        spec("API-CALLS"), D(250000), term_months=12), tags=frozenset({"kind:usage"})))
    # when it is priced
    quote = pricing.price_document(lines, "USD")
    # then included components are free, support is 20% of the subscriptions a year
    assert quote.line("PLAT-PRO").price.net_amount == 0
    assert quote.line("api").price.amount_per_period == D("220.00")  # 100 + 150,000 × 0.0008
    # the bundle's 24,000 a year plus 10 seats × 30 × 12; usage is not a subscription
    support = quote.line("SUPPORT-PREMIUM")
    assert support.basis_per_period == D("24000") + D("3600")
    assert support.price.amount_per_period == D("5520.00")
    assert quote.net_amount == D("24000.00") + D("3600.00") + D("2640.00") + D("5520.00")


def test_the_demo_books_keep_their_rounding_and_usage_prices_use_the_new_models():
    # given the demo catalog
    seed_catalog()

    def spec(sku, currency="USD"):
        return selectors.price_snapshot(product=Product.objects.get(sku=sku), currency=currency,
                                        billing_period=None)

    # then the Swiss book rounds totals to 5 centimes and the euro book breaks ties to even,
    # and a price snapshot records its book's policy
    chf = PriceBook.objects.get(currency="CHF")
    assert chf.rounding_policy().cash_step == D("0.05")
    assert spec("PLAT-PRO", "CHF")["source"]["rounding_policy"]["cash_step"] == "0.05"
    assert spec("PLAT-PRO", "EUR")["rounding"] == "half_even"
    assert "rounding_policy" not in spec("PLAT-PRO")["source"]  # USD: the default policy
    # webhook events: 50,000 included, blocks of 100,000 at 10, at least 20, at most 2,000
    events = pricing.PriceSpec.from_dict(spec("WEBHOOK-EVENTS"))
    assert pricing.price_breakdown(events, D(40000)) == pricing.QuantityPrice(
        D(0), D(0), shortfall=D(20))
    assert pricing.price_quantity(events, D(250001)) == D(30)  # 200,001 billable: 3 blocks
    assert pricing.price_quantity(events, D(10 ** 9)) == D(2000)
    # SMS: packages of 1,000 started, at least 3 packages in a month with any sent
    sms = pricing.PriceSpec.from_dict(spec("SMS-PACK"))
    assert pricing.price_quantity(sms, D(1)) == D(24)  # one started package, three charged
    assert pricing.price_quantity(sms, D(4001)) == D(40)
    # card payments: 2.9% + 0.30 each, at most 25 a payment
    cards = pricing.PriceSpec.from_dict(spec("CARD-PAYMENTS"))
    line = pricing.price_line(pricing.LineInput(cards, D(2100)),
                              transactions=[D(100), D(2000)])
    assert line.amount_per_period == D("3.20") + D("25.00")


def test_the_demo_coupons_price_a_first_invoice():
    # given the demo catalog's coupons
    seed_catalog()
    welcome = Coupon.objects.get(code="WELCOME10").terms()
    platform = Coupon.objects.prefetch_related("products").get(code="PLATFORM-300")
    pro = Product.objects.get(sku="PLAT-PRO")
    # then the platform coupon takes 300 off the edition only, for three periods, alone
    lines = [coupons.CouponLine("pro", pro.pk, D("1500.00")),
             coupons.CouponLine("seats", Product.objects.get(sku="SEAT-USER").pk, D("300.00"))]
    (discount,) = coupons.coupon_discounts([platform.terms()], lines, "USD", period=2)
    assert discount.by_line == {"pro": D("300.00")}
    assert coupons.coupon_problems(platform.terms(), on=date(2026, 12, 1), currency="USD",
                                   product_ids={pro.pk}, redemptions=0, others=[welcome]) == [
        "PLATFORM-300 cannot be combined with other coupons."]


def test_the_demo_coupons_the_history_redeems_hold_in_every_demo_currency():
    # given the demo catalog (the demo history redeems WELCOME10 and ANNUAL5 by these codes)
    seed_catalog()
    welcome = Coupon.objects.get(code="WELCOME10").terms()
    annual = Coupon.objects.get(code="ANNUAL5").terms()
    # then: 10% once, 5% forever, in every currency of the demo books, on every product
    assert (welcome.percent_off, welcome.duration) == (D(10), "once")
    assert (annual.percent_off, annual.duration) == (D(5), "forever")
    for coupon in (welcome, annual):
        assert coupon.currencies == frozenset({"USD", "EUR", "GBP", "JPY", "CHF"})
        assert not coupon.product_ids
        for currency in coupon.currencies:
            assert coupons.coupon_problems(coupon, on=date(2026, 12, 1), currency=currency,
                                           product_ids=set(), redemptions=0, others=[]) == []
    # and the two stack: a new customer on an annual plan may use both
    assert coupons.coupon_problems(annual, on=date(2026, 12, 1), currency="EUR",
                                   product_ids=set(), redemptions=0, others=[welcome]) == []
