"""Allowances, blocks, minimum packages, commitments with their shortfall, caps, flat fees at
zero and transaction prices: worked examples from the vendors' public documentation, then
hypothesis properties. No database."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import transaction_fees
from catalog.pricing import (
    BillingPeriod,
    LineInput,
    PriceModel,
    PriceSpec,
    QuantityPrice,
    Tier,
    price_breakdown,
    price_line,
    price_quantity,
    tier_charges,
)
from catalog.rounding import RoundingMode
from catalog.transaction_fees import TransactionTerms
from core.money import round_money

MONTHLY = BillingPeriod.MONTHLY


def spec(model, **kwargs):
    kwargs.setdefault("billing_period", MONTHLY)
    return PriceSpec(model=model, currency="USD", **kwargs)


# ---- worked examples --------------------------------------------------------------------------

# Lago, package charge model (https://getlago.com/docs/guide/plans/charges/charge-models/package):
# "$5 per 100 units and offer the first 100 units ... 201 units would cost $0 + $5 + $5 = $10".
def test_lago_package_with_free_units():
    price = spec(PriceModel.PACKAGE, unit_amount=D(5), package_size=D(100),
                 included_units=D(100))
    assert price_quantity(price, D(201)) == D(10)
    assert price_quantity(price, D(100)) == D(0)


# Lago, package rate model (https://getlago.com/docs/v2/guide/rate-cards/pricing-models/package):
# 2,000 calls in packages of 100 at 1 USD = 20 USD; with 50 free calls, 200 calls leave 150
# billable, rounded up to two packages = 2 USD.
def test_lago_v2_package_examples():
    assert price_quantity(spec(PriceModel.PACKAGE, unit_amount=D(1), package_size=D(100)),
                          D(2000)) == D(20)
    assert price_quantity(spec(PriceModel.PACKAGE, unit_amount=D(1), package_size=D(100),
                               included_units=D(50)), D(200)) == D(2)


# Chargebee, package pricing (https://www.chargebee.com/docs/billing/2.0/product-catalog/
# package-pricing): 1M tokens a package at $1.25, "a minimum of one package is billed per billing
# period": 10 tokens → 1 package, 1,000,000 → 1, 1,500,000 → 2 ($2.50).
@pytest.mark.parametrize(("tokens", "amount"), [
    (10, "1.25"), (1_000_000, "1.25"), (1_500_000, "2.50")])
def test_chargebee_package_with_a_minimum_of_one_package(tokens, amount):
    price = spec(PriceModel.PACKAGE, unit_amount=D("1.25"), package_size=D(1_000_000),
                 minimum_packages=D(1))
    assert price_quantity(price, D(tokens)) == D(amount)
    assert price_quantity(price, D(0)) == D(0)  # no usage, no package (unless charge_at_zero)
    charged = PriceSpec(**{**_fields(price), "charge_at_zero": True})
    assert price_quantity(charged, D(0)) == D("1.25")


# Stripe, flat fee and overages (https://docs.stripe.com/billing/subscriptions/usage-based-v1/
# use-cases/flat-fee-and-overages): usage 0-1000 at 0 USD, 1000+ at 0.04 USD. Included units
# write the same price without a zero tier.
def test_stripe_overage_after_included_units():
    included = spec(PriceModel.PER_UNIT, unit_amount=D("0.04"), included_units=D(1000))
    zero_tier = spec(PriceModel.GRADUATED, tiers=(Tier(D(1000), D(0)), Tier(None, D("0.04"))))
    for used in (D(0), D(999), D(1000), D(1001), D(1500)):
        assert price_quantity(included, used) == price_quantity(zero_tier, used)
    assert price_quantity(included, D(1500)) == D("20.00")


# Lago, spending minimum (https://getlago.com/docs/guide/plans/charges/spending-minimum):
# $0.010 per tracked user, a $100 minimum; $50 of usage is topped up by a $50 true-up fee that
# "will appear as a separate line item". Lago, negotiated contract billing
# (https://getlago.com/docs/guide/lago-cloud/contract-billing): a $1,000 monthly minimum with
# $800 of usage adds a $200 true-up; $1,300 adds none.
def test_lago_spending_minimum_true_up_is_its_own_part():
    mtu = spec(PriceModel.PER_UNIT, unit_amount=D("0.010"), minimum_amount=D(100))
    assert price_breakdown(mtu, D(5000)) == QuantityPrice(D(5000), D(50), shortfall=D(50))
    line = price_line(LineInput(mtu, D(5000)))
    assert (line.list_per_period, line.shortfall_per_period) == (D("100.00"), D("50.00"))
    contract = spec(PriceModel.PER_UNIT, unit_amount=D(1), minimum_amount=D(1000))
    assert price_breakdown(contract, D(800)).shortfall == D(200)
    assert price_breakdown(contract, D(1300)) == QuantityPrice(D(1300), D(1300))


def test_a_cap_limits_the_period_and_is_reported():
    # given 0.01 per call capped at 500 a month
    calls = spec(PriceModel.PER_UNIT, unit_amount=D("0.01"), maximum_amount=D(500))
    # then 80,000 calls cost 500, the cap taking 300 off
    assert price_breakdown(calls, D(80000)) == QuantityPrice(D(80000), D(800), capped=D(300))
    assert price_quantity(calls, D(80000)) == D(500)
    assert price_quantity(calls, D(20000)) == D(200)


# Stripe's tier flat_amount is "the flat billing amount for an entire tier, regardless of the
# number of units in the tier" (Price tiers, https://docs.stripe.com/api/prices/object); Lago's
# graduated model charges a tier's flat fee "to an entire tier"
# (https://getlago.com/docs/guide/plans/charges/charge-models/graduated). Whether the first
# tier's flat fee is owed in a period with no usage is the price's option.
def test_a_tiers_flat_fee_at_zero_usage_is_an_option_of_the_price():
    tiers = (Tier(D(100), D("0.50"), flat_amount=D(20)), Tier(None, D("0.40"), D(5)))
    plain = spec(PriceModel.GRADUATED, tiers=tiers)
    at_zero = spec(PriceModel.GRADUATED, tiers=tiers, charge_at_zero=True)
    assert price_quantity(plain, D(0)) == D(0)
    assert price_quantity(at_zero, D(0)) == D(20)
    assert price_quantity(plain, D(150)) == price_quantity(at_zero, D(150)) == D(95)
    assert tier_charges(at_zero, D(0))[0].amount == D(20)
    volume = spec(PriceModel.VOLUME, tiers=tiers, charge_at_zero=True)
    assert price_quantity(volume, D(0)) == D(20)


def test_blocks_inside_a_tier_charge_a_partial_block_as_a_whole_one():
    # given the first 1,000 units per unit, then 10 per started block of 100
    tiers = (Tier(D(1000), D("0.02")), Tier(None, D(10), block_size=D(100)))
    graduated = spec(PriceModel.GRADUATED, tiers=tiers)
    assert price_quantity(graduated, D(1000)) == D(20)
    assert price_quantity(graduated, D(1001)) == D(30)  # one unit starts a block
    assert price_quantity(graduated, D(1200)) == D(40)
    assert price_quantity(graduated, D(1201)) == D(50)
    volume = spec(PriceModel.VOLUME, tiers=tiers)
    assert price_quantity(volume, D(1201)) == D(130)  # 13 blocks, all at the tier reached


# Lago, percentage rate model (https://getlago.com/docs/v2/guide/rate-cards/pricing-models/
# percentage): 1,000 USD processed at 2% is 20 USD. Lago's Stripe template
# (https://getlago.com/docs/templates/per-transaction/stripe): online cards at 2.9% + $0.30.
def test_lago_percentage_and_card_processing_fees():
    two_percent = spec(PriceModel.TRANSACTION, percent=D(2))
    assert price_quantity(two_percent, D(1000)) == D(20)
    cards = spec(PriceModel.TRANSACTION, percent=D("2.9"),
                 transaction=TransactionTerms(fixed_fee=D("0.30")))
    line = price_line(LineInput(cards, D(150)), transactions=[D(100), D(50)])
    assert line.amount_per_period == D("3.20") + D("1.75")
    with pytest.raises(ValueError, match="needs each transaction's amount"):
        price_quantity(cards, D(150))


def test_free_transactions_free_amount_and_limits_per_transaction():
    # given 1% + 0.50 a transaction, the first 2 without the fee, the first 500 of volume free,
    # each fee at least 1 and at most 8
    terms = TransactionTerms(fixed_fee=D("0.50"), free_transactions=2, minimum_fee=D(1),
                             maximum_fee=D(8))
    fees = transaction_fees.transaction_fees(D(1), terms, [D(300), D(300), D(100), D(2000)],
                                             free_amount=D(500))
    # then: free, 1% of the 100 above the free amount (1.00), 1.00 + 0.50, 20.50 capped at 8
    assert fees == [D(0), D(1), D("1.50"), D(8)]


def test_half_even_books_round_ties_to_the_even_cent_and_half_up_away_from_zero():
    tie = D("0.125")
    up = spec(PriceModel.PER_UNIT, unit_amount=tie)
    even = spec(PriceModel.PER_UNIT, unit_amount=tie, rounding=RoundingMode.HALF_EVEN)
    assert price_line(LineInput(up, D(1))).list_per_period == D("0.13")
    assert price_line(LineInput(even, D(1))).list_per_period == D("0.12")
    assert price_line(LineInput(even, D(3))).list_per_period == D("0.38")  # 0.375 → 0.38


def test_new_options_are_refused_where_they_do_not_belong():
    with pytest.raises(ValueError, match="maximum per period cannot be below the minimum"):
        spec(PriceModel.PER_UNIT, minimum_amount=D(10), maximum_amount=D(5))
    with pytest.raises(ValueError, match="Only package prices have a minimum number"):
        spec(PriceModel.PER_UNIT, minimum_packages=D(1))
    with pytest.raises(ValueError, match="Only transaction prices have transaction fees"):
        spec(PriceModel.PER_UNIT, transaction=TransactionTerms(fixed_fee=D(1)))
    with pytest.raises(ValueError, match="Tier 2: the block size must be greater than zero"):
        spec(PriceModel.GRADUATED, tiers=(Tier(D(1), D(1)), Tier(None, D(1), block_size=D(0))))
    with pytest.raises(ValueError, match="maximum fee per transaction cannot be below"):
        spec(PriceModel.TRANSACTION, transaction=TransactionTerms(minimum_fee=D(2),
                                                                  maximum_fee=D(1)))


def test_a_snapshot_without_the_new_options_reads_as_before():
    plain = spec(PriceModel.PER_UNIT, unit_amount=D(3))
    assert set(plain.to_dict()) == {"version", "model", "currency", "billing_period",
                                    "unit_amount", "tiers", "package_size", "minimum_amount",
                                    "percent", "percent_basis"}


# ---- properties -------------------------------------------------------------------------------

def _fields(price: PriceSpec) -> dict:
    return {name: getattr(price, name) for name in PriceSpec.__slots__}


amounts = st.decimals(min_value=0, max_value=1000, places=4)
quantities = st.decimals(min_value=0, max_value=10**6, places=2)


@st.composite
def tier_lists(draw):
    ends = sorted(draw(st.sets(st.integers(min_value=1, max_value=5000), min_size=0,
                               max_size=3)))
    tiers = []
    for end in [*ends, None]:
        block = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=500)))
        tiers.append(Tier(None if end is None else D(end), draw(amounts), draw(amounts),
                          None if block is None else D(block)))
    return tuple(tiers)


@st.composite
def specs(draw):
    model = draw(st.sampled_from([PriceModel.PER_UNIT, PriceModel.FLAT, PriceModel.GRADUATED,
                                  PriceModel.VOLUME, PriceModel.PACKAGE]))
    minimum = draw(st.sampled_from([D(0), D(0), D(25), D("99.99")]))
    cap = draw(st.one_of(st.none(), st.decimals(min_value=100, max_value=10**5, places=2)))
    fields = {"unit_amount": draw(amounts), "minimum_amount": minimum, "maximum_amount": cap,
              "included_units": draw(st.sampled_from([D(0), D(100), D("0.5")])),
              "charge_at_zero": draw(st.booleans()),
              "rounding": draw(st.sampled_from(list(RoundingMode)))}
    if model in (PriceModel.GRADUATED, PriceModel.VOLUME):
        fields["tiers"] = draw(tier_lists())
    if model is PriceModel.PACKAGE:
        fields["package_size"] = D(draw(st.integers(min_value=1, max_value=1000)))
        fields["minimum_packages"] = D(draw(st.integers(min_value=0, max_value=3)))
    return spec(model, **fields)


@given(specs(), quantities)
def test_the_parts_add_up_and_the_minimum_and_cap_hold(price, quantity):
    parts = price_breakdown(price, quantity)
    assert parts.amount == parts.usage_amount + parts.shortfall - parts.capped
    assert parts.shortfall >= 0 and parts.capped >= 0 and parts.amount >= 0
    assert not (parts.shortfall and parts.capped)
    if quantity > 0 or price.charge_at_zero:
        assert parts.amount >= price.minimum_amount
    if price.maximum_amount is not None:
        assert parts.amount <= price.maximum_amount
    assert price_quantity(price, quantity) == parts.amount


@given(specs(), quantities)
def test_included_units_price_only_the_quantity_above_them(price, quantity):
    free = _fields(price) | {"included_units": D(0)}
    if price.model is PriceModel.FLAT or quantity <= price.included_units:
        return
    without = PriceSpec(**free)
    assert price_breakdown(price, quantity).usage_amount == price_breakdown(
        without, quantity - price.included_units).usage_amount


@given(specs(), quantities, quantities)
def test_more_usage_never_costs_less_under_graduated_package_and_per_unit(price, a, b):
    if price.model is PriceModel.VOLUME:  # volume prices may drop at a tier (by design)
        return
    low, high = sorted((a, b))
    if low == 0 and not price.charge_at_zero:
        return
    assert price_quantity(price, low) <= price_quantity(price, high)


@given(tier_lists(), quantities)
def test_blocks_cost_at_least_the_units_and_less_than_one_more_block_per_tier(tiers, quantity):
    # a block's price spread over its units is the price of the same tiers without blocks
    blocks = spec(PriceModel.GRADUATED, tiers=tiers)
    units = spec(PriceModel.GRADUATED, tiers=tuple(
        Tier(t.up_to, t.unit_amount / (t.block_size or 1), t.flat_amount) for t in tiers))
    charged = price_quantity(blocks, quantity)
    exact = price_quantity(units, quantity)
    slack = sum((t.unit_amount for t in tiers if t.block_size is not None), D(0))
    tolerance = D("1e-20")  # the spread unit price may not be exact in 28 digits
    assert exact - tolerance <= charged <= exact + slack + tolerance


@given(specs(), quantities)
def test_the_shortfall_line_and_the_usage_add_up_to_the_rounded_period(price, quantity):
    line = price_line(LineInput(price, quantity))
    assert D(0) <= line.shortfall_per_period <= line.list_per_period
    assert line.capped_per_period >= 0 and not (line.capped_per_period
                                                 and line.shortfall_per_period)
    usage = round_money(price_breakdown(price, quantity).usage_amount, "USD",
                        price.rounding.decimal)
    assert usage + line.shortfall_per_period - line.capped_per_period == line.list_per_period
    if line.shortfall_per_period:
        assert line.list_per_period == line.list_per_period.quantize(D("0.01"))


fees = st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=2))
transaction_specs = st.builds(
    lambda percent, fixed, free, low, high, included: spec(
        PriceModel.TRANSACTION, percent=percent, included_units=included,
        transaction=TransactionTerms(fixed, free, low, None if high is None or low is None
                                     else low + high)),
    st.decimals(min_value=0, max_value=10, places=3), st.decimals(min_value=0, max_value=1,
                                                                  places=2),
    st.integers(min_value=0, max_value=100), fees, fees, st.sampled_from([D(0), D(500)]))


@given(st.one_of(specs(), transaction_specs))
def test_a_snapshot_reads_back_to_the_same_price(price):
    assert PriceSpec.from_dict(price.to_dict()) == price


@given(st.lists(st.decimals(min_value=0, max_value=10**4, places=2), max_size=30),
       st.decimals(min_value=0, max_value=10, places=2),
       st.decimals(min_value=0, max_value=5000, places=2))
def test_without_fees_or_limits_the_percentage_follows_the_volume_above_the_free_amount(
        amounts_, percent, free):
    fees = transaction_fees.transaction_fees(percent, TransactionTerms(), amounts_,
                                             free_amount=free)
    assert sum(fees, D(0)) == max(sum(amounts_, D(0)) - free, D(0)) * percent / 100


@given(st.lists(st.decimals(min_value=0, max_value=10**4, places=2), max_size=30),
       st.integers(min_value=0, max_value=10), st.decimals(min_value=0, max_value=2, places=2),
       st.decimals(min_value=0, max_value=5, places=2))
def test_each_fee_keeps_to_its_limits_and_free_transactions_skip_the_fixed_fee(
        amounts_, free_count, low, span):
    terms = TransactionTerms(fixed_fee=D("0.25"), free_transactions=free_count,
                             minimum_fee=low, maximum_fee=low + span)
    fees = transaction_fees.transaction_fees(D(3), terms, amounts_)
    for number, (amount, fee) in enumerate(zip(amounts_, fees, strict=True)):
        assert fee <= terms.maximum_fee
        if fee:
            assert fee >= terms.minimum_fee or fee == terms.maximum_fee
        if number >= free_count:
            assert fee == min(max(amount * 3 / 100 + D("0.25"), low), low + span)
