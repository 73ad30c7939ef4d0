"""Tiered prices laid out tier by tier for the quote document (no database).

Worked examples from Zuplo's pricing models page
(https://zuplo.com/docs/articles/monetization/pricing-models, "Tiered Pricing"): tiers 0-1,000
at $0.10, 1,001-10,000 at $0.05 and 10,001+ at $0.01; 15,000 units cost
(1,000 × $0.10) + (9,000 × $0.05) + (5,000 × $0.01) = $600 graduated, and
15,000 × $0.01 = $150 under volume pricing.
"""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from catalog.pricing import PriceModel, PriceSpec, Tier, price_quantity
from core.formatting import format_rate
from quotes.applied_tiers import applied_tiers

ZUPLO = (Tier(D(1000), D("0.10")), Tier(D(10000), D("0.05")), Tier(None, D("0.01")))


def spec(model, tiers=ZUPLO, **extra) -> PriceSpec:
    return PriceSpec(model=model, currency="USD", billing_period="monthly", tiers=tiers, **extra)


def test_graduated_tiers_each_charge_their_own_units():
    tiers = applied_tiers(spec(PriceModel.GRADUATED), D(15000))

    assert [(t.above, t.up_to, t.units, t.amount) for t in tiers] == [
        (None, D(1000), D(1000), D("100.00")),
        (D(1000), D(10000), D(9000), D("450.00")),
        (D(10000), None, D(5000), D("50.00"))]
    assert sum(t.amount for t in tiers) == D(600)


def test_a_volume_price_charges_every_unit_at_the_tier_reached():
    tiers = applied_tiers(spec(PriceModel.VOLUME), D(15000))

    assert [(t.units, t.amount, t.reached) for t in tiers] == [
        (0, 0, False), (0, 0, False), (D(15000), D("150.00"), True)]


def test_included_units_come_off_first_and_flat_fees_count_once_reached():
    tiers = (Tier(D(100), D(1), D(5)), Tier(None, D("0.5"), D(25)))
    applied = applied_tiers(spec(PriceModel.GRADUATED, tiers, included_units=D(50)), D(120))

    # 70 billable: 70 × 1 + 5 in the first tier, nothing reaches the second
    assert [(t.units, t.amount, t.reached) for t in applied] == [
        (D(70), D(75), True), (0, 0, False)]


def test_other_prices_have_no_tiers():
    assert applied_tiers(PriceSpec(model=PriceModel.PER_UNIT, currency="USD",
                                   unit_amount=D(30)), D(5)) == ()


def test_a_rate_keeps_the_places_it_has_and_never_fewer_than_the_currency():
    assert [format_rate(D("0.0008"), "USD"), format_rate(D("0.25"), "USD"),
            format_rate(D(3), "JPY"), format_rate(D("0.1"), "USD"),
            format_rate(D("1234.5"), "KWD"), format_rate(D("60.0000"), "EUR")] == [
        "$0.0008", "$0.25", "¥3", "$0.10", "1,234.500 KWD", "€60.00"]


bounds = st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=4,
                  unique=True).map(sorted)
rates = st.decimals(min_value=0, max_value=100, places=4)


@given(bounds, st.data(), st.decimals(min_value=0, max_value=50_000, places=2),
       st.sampled_from([PriceModel.GRADUATED, PriceModel.VOLUME]),
       st.decimals(min_value=0, max_value=500, places=0))
def test_the_tiers_add_up_to_what_the_price_charges(ups, data, quantity, model, included):
    tiers = tuple(Tier(D(up), data.draw(rates), data.draw(rates)) for up in ups) + (
        Tier(None, data.draw(rates), data.draw(rates)),)
    price = spec(model, tiers, included_units=included)

    applied = applied_tiers(price, quantity)

    assert sum((t.amount for t in applied), D(0)) == price_quantity(price, quantity)
    assert len(applied) == len(tiers)
    assert sum(t.units for t in applied) == max(quantity - included, 0)
