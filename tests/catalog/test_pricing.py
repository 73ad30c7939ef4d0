"""The pricing engine: worked examples for every price model, then hypothesis properties. No DB."""

import doctest
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import pricing
from catalog.pricing import (
    BillingPeriod,
    DocumentLine,
    LineInput,
    PriceModel,
    PriceSpec,
    Tier,
    price_document,
    price_line,
    price_quantity,
    tier_charges,
)
from catalog.tiers import WrittenTier, written_tier_errors

MONTHLY, QUARTERLY, ANNUAL = BillingPeriod.MONTHLY, BillingPeriod.QUARTERLY, BillingPeriod.ANNUAL


def spec(model, currency="USD", period=BillingPeriod.ONE_TIME, **kwargs):
    return PriceSpec(model=model, currency=currency, billing_period=period, **kwargs)


API_TIERS = (Tier(D(1000), D("0.010")), Tier(D(10000), D("0.008"), D("5")),
             Tier(None, D("0.0045"), D("2")))
STORAGE_TIERS = (Tier(D(100), D("0.50")), Tier(D(1000), D("0.40")), Tier(None, D("0.30")))


def test_module_docstring_examples_hold():
    assert doctest.testmod(pricing).failed == 0


# ---- price_quantity: one worked example per model -------------------------------------------

def test_flat_fee_is_the_same_whatever_the_quantity():
    onboarding = spec(PriceModel.FLAT, unit_amount=D("5000"))
    assert price_quantity(onboarding, D(1)) == D("5000")
    assert price_quantity(onboarding, D(3)) == D("5000")


def test_per_unit_multiplies_and_keeps_the_rates_extra_places():
    seats = spec(PriceModel.PER_UNIT, unit_amount=D("0.0125"))
    assert price_quantity(seats, D(333)) == D("4.1625")


def test_graduated_prices_each_tier_with_its_flat_fee():
    api = spec(PriceModel.GRADUATED, period=MONTHLY, tiers=API_TIERS)
    # 1000 × 0.010 + (9000 × 0.008 + 5) + (2500 × 0.0045 + 2)
    assert price_quantity(api, D(12500)) == D("10") + D("77") + D("13.25")
    assert [c.tier for c in tier_charges(api, D(1000))] == [1]
    assert price_quantity(api, D(1000)) == D("10.000")
    assert price_quantity(api, D(1001)) == D("10.000") + D("0.008") + D("5")


def test_volume_prices_every_unit_at_the_tier_reached():
    storage = spec(PriceModel.VOLUME, period=MONTHLY, tiers=STORAGE_TIERS)
    assert price_quantity(storage, D(100)) == D("50.00")
    assert price_quantity(storage, D(101)) == D("40.40")
    assert price_quantity(storage, D(5000)) == D("1500.00")
    assert price_quantity(storage, D("100.5")) == D("40.200")


def test_package_rounds_partial_blocks_up_and_charges_the_minimum():
    sms = spec(PriceModel.PACKAGE, unit_amount=D("8.00"), package_size=D(1000),
               minimum_amount=D("20.00"))
    assert price_quantity(sms, D(1)) == D("20.00")
    assert price_quantity(sms, D(2500)) == D("24.00")
    assert price_quantity(sms, D(3000)) == D("24.00")
    assert price_quantity(sms, D(3001)) == D("32.00")


def test_percent_needs_the_basis_it_follows():
    support = spec(PriceModel.PERCENT, period=ANNUAL, percent=D(20))
    with pytest.raises(ValueError, match="basis"):
        price_quantity(support, D(1))
    assert price_quantity(support, D(1), basis=D("12000")) == D("2400")


@pytest.mark.parametrize("model, kwargs", [
    (PriceModel.FLAT, {"unit_amount": D(10)}),
    (PriceModel.PER_UNIT, {"unit_amount": D(10), "minimum_amount": D(50)}),
    (PriceModel.GRADUATED, {"tiers": API_TIERS}),
    (PriceModel.VOLUME, {"tiers": STORAGE_TIERS}),
    (PriceModel.PACKAGE, {"unit_amount": D(8), "package_size": D(1000), "minimum_amount": D(20)}),
])
def test_zero_quantity_costs_nothing_under_every_model(model, kwargs):
    assert price_quantity(spec(model, **kwargs), D(0)) == 0


def test_negative_quantity_is_refused():
    with pytest.raises(ValueError, match="negative"):
        price_quantity(spec(PriceModel.PER_UNIT, unit_amount=D(1)), D(-1))


@pytest.mark.parametrize("kwargs, message", [
    ({"model": PriceModel.PACKAGE, "unit_amount": D(8), "package_size": D(0)}, "package size"),
    ({"model": PriceModel.PACKAGE, "unit_amount": D(8)}, "package size"),
    ({"model": PriceModel.GRADUATED}, "at least one tier"),
    ({"model": PriceModel.VOLUME, "tiers": (Tier(D(10), D(1)), Tier(D(5), D(1)),
                                            Tier(None, D(1)))}, "must end above 10"),
    ({"model": PriceModel.VOLUME, "tiers": (Tier(None, D(1)), Tier(None, D(1)))},
     "only the last tier"),
    ({"model": PriceModel.VOLUME, "tiers": (Tier(D(10), D(1)),)}, "open-ended"),
    ({"model": PriceModel.PER_UNIT, "unit_amount": D(-1)}, "negative"),
    ({"model": PriceModel.PER_UNIT, "tiers": (Tier(None, D(1)),)}, "no tiers"),
])
def test_a_spec_that_cannot_price_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PriceSpec(currency="USD", **kwargs)


# ---- rounding per currency ------------------------------------------------------------------

@pytest.mark.parametrize("currency, expected", [
    ("USD", D("4.16")), ("EUR", D("4.16")), ("JPY", D("4")), ("KWD", D("4.163")),
])
def test_a_line_rounds_once_to_its_currencys_minor_unit(currency, expected):
    per_unit = spec(PriceModel.PER_UNIT, currency=currency, unit_amount=D("0.0125"))
    assert price_line(LineInput(per_unit, D(333))).net_amount == expected


def test_yen_rounds_half_up_to_whole_yen():
    seat = spec(PriceModel.PER_UNIT, currency="JPY", unit_amount=D("1234.5"))
    priced = price_line(LineInput(seat, D(1), discount_percent=D(10)))
    assert (priced.list_amount, priced.discount_amount, priced.net_amount) == (
        D(1235), D(124), D(1111))  # 123.5 → 124


def test_dinar_keeps_three_places():
    fee = spec(PriceModel.PER_UNIT, currency="KWD", period=MONTHLY, unit_amount=D("1.2345"))
    priced = price_line(LineInput(fee, D(3), term_months=12))
    assert priced.amount_per_period == D("3.704")  # 3.7035 → 3.704
    assert priced.net_amount == D("44.448")


# ---- price_line ----------------------------------------------------------------------------

def test_a_monthly_price_over_twelve_months_is_twelve_invoices():
    seat = spec(PriceModel.PER_UNIT, period=MONTHLY, unit_amount=D("35.50"))
    priced = price_line(LineInput(seat, D(12), term_months=12, discount_percent=D(15)))
    assert priced.list_per_period == D("426.00")
    assert priced.discount_per_period == D("63.90")
    assert priced.amount_per_period == D("362.10")
    assert priced.periods == 12
    assert (priced.list_amount, priced.discount_amount, priced.net_amount) == (
        D("5112.00"), D("766.80"), D("4345.20"))
    assert priced.total_contract_value == D("4345.20")


def test_quarterly_billing_over_a_year_is_four_periods():
    platform = spec(PriceModel.FLAT, period=QUARTERLY, unit_amount=D("3000"))
    priced = price_line(LineInput(platform, D(1), term_months=12))
    assert (priced.periods, priced.net_amount) == (4, D("12000.00"))


def test_a_term_that_is_not_whole_periods_prices_the_part_period_pro_rata():
    platform = spec(PriceModel.FLAT, period=ANNUAL, unit_amount=D("10000.01"))
    priced = price_line(LineInput(platform, D(1), term_months=18))
    assert priced.periods == D("1.5")
    assert priced.net_amount == D("15000.02")  # 15000.015 rounded once more


def test_one_time_lines_ignore_the_term():
    onboarding = spec(PriceModel.FLAT, unit_amount=D("5000"))
    priced = price_line(LineInput(onboarding, D(1), term_months=36))
    assert (priced.periods, priced.net_amount) == (1, D("5000.00"))


def test_a_discount_amount_comes_off_each_period_and_never_below_zero():
    seat = spec(PriceModel.PER_UNIT, period=MONTHLY, unit_amount=D("10"))
    priced = price_line(LineInput(seat, D(2), term_months=3, discount_amount=D("5")))
    assert (priced.amount_per_period, priced.net_amount, priced.discount_amount) == (
        D("15.00"), D("45.00"), D("15.00"))
    capped = price_line(LineInput(seat, D(2), term_months=3, discount_amount=D("500")))
    assert (capped.amount_per_period, capped.net_amount) == (D("0.00"), D("0.00"))


@pytest.mark.parametrize("kwargs, message", [
    ({"discount_percent": D(10), "discount_amount": D(1)}, "not both"),
    ({"discount_percent": D(101)}, "between 0 and 100"),
    ({"discount_amount": D(-1)}, "negative"),
    ({"term_months": 0}, "at least one month"),
])
def test_price_line_refuses_impossible_input(kwargs, message):
    seat = spec(PriceModel.PER_UNIT, period=MONTHLY, unit_amount=D("10"))
    with pytest.raises(ValueError, match=message):
        price_line(LineInput(seat, D(1), **kwargs))


# ---- price_document ------------------------------------------------------------------------

def _quote_lines():
    platform = spec(PriceModel.FLAT, period=MONTHLY, unit_amount=D("1000"))
    seats = spec(PriceModel.PER_UNIT, period=MONTHLY, unit_amount=D("25"))
    onboarding = spec(PriceModel.FLAT, unit_amount=D("5000"))
    support = spec(PriceModel.PERCENT, period=ANNUAL, percent=D(20),
                   percent_basis=frozenset({"kind:subscription"}), minimum_amount=D("1000"))
    sub = frozenset({"kind:subscription"})
    return [
        DocumentLine("platform", LineInput(platform, D(1), term_months=12), tags=sub),
        DocumentLine("seats", LineInput(seats, D(10), term_months=12, discount_percent=D(10)),
                     tags=sub),
        DocumentLine("onboarding", LineInput(onboarding), tags=frozenset({"kind:service"})),
        DocumentLine("support", LineInput(support, D(1), term_months=12),
                     tags=frozenset({"kind:service"})),
    ]


def test_support_at_a_percentage_follows_the_subscription_lines_net_per_year():
    quote = price_document(_quote_lines(), "USD")
    support = quote.line("support")
    # (1000 + 225) a month, restated to a year = 14,700; 20% = 2,940 a year.
    assert support.basis_per_period == D("14700")
    assert support.price.amount_per_period == D("2940.00")
    assert quote.net_amount == D("12000.00") + D("2700.00") + D("5000.00") + D("2940.00")
    assert quote.one_time_amount == D("5000.00")
    assert quote.recurring_per_period == {MONTHLY: D("1225.00"), ANNUAL: D("2940.00")}
    assert quote.list_amount - quote.discount_amount == quote.net_amount


def test_a_percentage_line_charges_its_minimum_on_a_small_basis():
    lines = _quote_lines()
    small = [lines[0].__class__(lines[0].key, LineInput(
        spec(PriceModel.FLAT, period=MONTHLY, unit_amount=D("100")), D(1), term_months=12),
        tags=lines[0].tags), lines[3]]
    assert price_document(small, "USD").line("support").price.amount_per_period == D("1000.00")


def test_a_one_time_percentage_follows_the_matching_lines_whole_terms():
    sub = frozenset({"kind:subscription"})
    lines = [
        DocumentLine("seats", LineInput(spec(PriceModel.PER_UNIT, period=MONTHLY,
                                             unit_amount=D("25")), D(10), term_months=12),
                     tags=sub),
        DocumentLine("setup", LineInput(spec(PriceModel.PERCENT, percent=D("10"),
                                             percent_basis=sub))),
    ]
    assert price_document(lines, "USD").line("setup").price.net_amount == D("300.00")


def test_bundle_components_included_in_the_bundle_are_priced_at_zero():
    bundle = spec(PriceModel.FLAT, period=ANNUAL, unit_amount=D("20000"))
    component = spec(PriceModel.PER_UNIT, period=ANNUAL, unit_amount=D("300"))
    extra = spec(PriceModel.PER_UNIT, period=ANNUAL, unit_amount=D("300"))
    quote = price_document([
        DocumentLine("bundle", LineInput(bundle, D(1), term_months=24)),
        DocumentLine("seats-in-bundle", LineInput(component, D(25), term_months=24),
                     included_in="bundle"),
        DocumentLine("extra-seats", LineInput(extra, D(5), term_months=24)),
    ], "USD")
    included = quote.line("seats-in-bundle")
    assert included.included and included.price.net_amount == D("0.00")
    assert included.price.periods == 2
    assert quote.net_amount == D("40000.00") + D("3000.00")


@pytest.mark.parametrize("lines, message", [
    ([DocumentLine("a", LineInput(spec(PriceModel.FLAT, "EUR", unit_amount=D(1))))],
     "priced in EUR"),
    ([DocumentLine("a", LineInput(spec(PriceModel.FLAT, unit_amount=D(1))), included_in="x")],
     "unknown line"),
    ([DocumentLine("a", LineInput(spec(PriceModel.FLAT, unit_amount=D(1))))] * 2, "unique"),
])
def test_price_document_refuses_inconsistent_quotes(lines, message):
    with pytest.raises(ValueError, match=message):
        price_document(lines, "USD")


# ---- snapshots and written tiers -------------------------------------------------------------

def test_a_snapshot_reads_back_to_the_same_spec():
    api = spec(PriceModel.GRADUATED, period=MONTHLY, tiers=API_TIERS, minimum_amount=D("1"))
    data = api.to_dict()
    assert data["tiers"][2] == {"up_to": None, "unit_amount": "0.0045", "flat_amount": "2"}
    assert PriceSpec.from_dict({**data, "source": {"entry_id": 7}}) == api


def test_an_unknown_snapshot_version_is_refused():
    data = spec(PriceModel.FLAT, unit_amount=D(1)).to_dict()
    with pytest.raises(ValueError, match="version"):
        PriceSpec.from_dict({**data, "version": 99})


def W(start, end, unit="1"):  # noqa: N802
    return WrittenTier(D(start), None if end is None else D(end), D(unit))


@pytest.mark.parametrize("rows, expected", [
    ([W(1, 100), W(101, 1000), W(1001, None)], []),
    ([W(0, 100), W(100, None)], []),
    ([W(5, 100), W(101, None)], [(0, "from_quantity", "The first tier must start at 0 or 1.")]),
    ([W(1, 100), W(50, None)],
     [(1, "from_quantity", "This tier overlaps the previous one, which ends at 100.")]),
    ([W(1, 100), W(150, None)],
     [(1, "from_quantity", "Gap: the previous tier ends at 100, so this one must start at 100 "
                           "or 101.")]),
    ([W(1, 100), W(101, 200)],
     [(1, "up_to", "The last tier must be open-ended: leave its upper bound empty.")]),
    ([W(1, None), W(101, None)],
     [(0, "up_to", "Only the last tier can be open-ended."),
      (1, "from_quantity", "No tier can follow an open-ended tier.")]),
    ([W(10, 5), W(6, None)], [(0, "from_quantity", "The first tier must start at 0 or 1."),
                              (0, "up_to", "A tier must end at or above where it starts.")]),
])
def test_written_tiers_are_checked_row_by_row(rows, expected):
    assert written_tier_errors(rows) == expected


# ---- properties ------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=1000, places=4)
quantities = st.integers(min_value=0, max_value=5000).map(D)
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD", "GBP"])


@st.composite
def tier_lists(draw):
    ends = sorted(set(draw(st.lists(st.integers(1, 3000), min_size=0, max_size=4))))
    rates = draw(st.lists(amounts, min_size=len(ends) + 1, max_size=len(ends) + 1))
    flats = draw(st.lists(st.sampled_from([D(0), D(0), D("2.5"), D(10)]),
                          min_size=len(ends) + 1, max_size=len(ends) + 1))
    bounds = [D(e) for e in ends] + [None]
    return tuple(Tier(b, r, f) for b, r, f in zip(bounds, rates, flats, strict=True))


@given(tiers=tier_lists(), quantity=quantities)
def test_graduated_total_is_the_sum_of_its_tier_charges_and_of_its_units(tiers, quantity):
    graduated = spec(PriceModel.GRADUATED, tiers=tiers)
    total = price_quantity(graduated, quantity)
    assert total == sum((c.amount for c in tier_charges(graduated, quantity)), D(0))
    # Brute force: each whole unit at the rate of the tier it falls in, plus reached flat fees.
    by_unit, reached = D(0), set()
    for unit in range(1, int(quantity) + 1):
        index = next(i for i, t in enumerate(tiers) if t.up_to is None or unit <= t.up_to)
        by_unit += tiers[index].unit_amount
        reached.add(index)
    assert total == by_unit + sum((tiers[i].flat_amount for i in reached), D(0))


@given(tiers=tier_lists(), quantity=quantities, more=st.integers(0, 2000).map(D))
def test_graduated_total_never_decreases_as_quantity_grows(tiers, quantity, more):
    graduated = spec(PriceModel.GRADUATED, tiers=tiers)
    assert price_quantity(graduated, quantity + more) >= price_quantity(graduated, quantity)


@given(tiers=tier_lists(), quantity=quantities.filter(lambda q: q > 0))
def test_volume_prices_every_unit_at_one_tier(tiers, quantity):
    volume = spec(PriceModel.VOLUME, tiers=tiers)
    reached = [i for i, t in enumerate(tiers) if t.up_to is None or quantity <= t.up_to][0]
    below = tiers[reached - 1].up_to if reached else D(0)
    assert below < quantity
    tier = tiers[reached]
    assert price_quantity(volume, quantity) == quantity * tier.unit_amount + tier.flat_amount


@given(size=st.integers(1, 500).map(D), price=amounts, quantity=quantities,
       minimum=st.sampled_from([D(0), D(5), D(100)]))
def test_package_rounds_up_to_whole_blocks(size, price, quantity, minimum):
    package = spec(PriceModel.PACKAGE, unit_amount=price, package_size=size,
                   minimum_amount=minimum)
    amount = price_quantity(package, quantity)
    if quantity == 0:
        assert amount == 0
        return
    blocks = -(-int(quantity) // int(size))
    assert blocks * size >= quantity > (blocks - 1) * size
    assert amount == max(blocks * price, minimum)


@given(model=st.sampled_from(list(PriceModel)), currency=currencies, rate=amounts,
       tiers=tier_lists())
def test_zero_quantity_is_zero(model, currency, rate, tiers):
    kwargs = {"unit_amount": rate}
    if model in pricing.TIERED_MODELS:
        kwargs["tiers"] = tiers
    if model is PriceModel.PACKAGE:
        kwargs["package_size"] = D(10)
    if model is PriceModel.PERCENT:
        kwargs["percent"] = D(20)
    priced = price_line(LineInput(spec(model, currency, **kwargs), D(0)), basis=D(100))
    assert priced.net_amount == priced.list_amount == 0


@given(rate=amounts, quantity=quantities, months=st.integers(1, 60), currency=currencies,
       percent=st.decimals(min_value=0, max_value=100, places=2))
def test_n_months_of_a_monthly_price_is_n_times_one_month(rate, quantity, months, currency,
                                                          percent):
    monthly = spec(PriceModel.PER_UNIT, currency, MONTHLY, unit_amount=rate)
    one = price_line(LineInput(monthly, quantity, term_months=1, discount_percent=percent))
    many = price_line(LineInput(monthly, quantity, term_months=months, discount_percent=percent))
    assert many.list_amount == months * one.list_amount
    assert many.discount_amount == months * one.discount_amount
    assert many.net_amount == months * one.net_amount


@given(rate=amounts, quantity=quantities, currency=currencies,
       percent=st.decimals(min_value=0, max_value=100, places=3),
       amount=st.decimals(min_value=0, max_value=100000, places=3), use_amount=st.booleans(),
       months=st.integers(1, 40), period=st.sampled_from(list(BillingPeriod)))
def test_discounts_never_push_a_line_below_zero(rate, quantity, currency, percent, amount,
                                                use_amount, months, period):
    line = LineInput(spec(PriceModel.PER_UNIT, currency, period, unit_amount=rate), quantity,
                     term_months=months,
                     discount_percent=D(0) if use_amount else percent,
                     discount_amount=amount if use_amount else D(0))
    priced = price_line(line)
    assert 0 <= priced.net_amount <= priced.list_amount
    assert 0 <= priced.amount_per_period <= priced.list_per_period
    assert priced.list_amount - priced.discount_amount == priced.net_amount
    places = D(1).scaleb(-{"JPY": 0, "KWD": 3}.get(currency, 2))
    for value in (priced.list_amount, priced.discount_amount, priced.net_amount,
                  priced.amount_per_period):
        assert value == value.quantize(places)


@given(rates=st.lists(amounts, min_size=1, max_size=8), currency=currencies,
       percent=st.decimals(min_value=0, max_value=50, places=1))
def test_a_document_total_is_the_sum_of_its_rounded_lines(rates, currency, percent):
    lines = [DocumentLine(str(i), LineInput(spec(PriceModel.PER_UNIT, currency, MONTHLY,
                                                 unit_amount=r), D(3), term_months=12),
                          tags=frozenset({"kind:subscription"}))
             for i, r in enumerate(rates)]
    lines.append(DocumentLine("support", LineInput(
        spec(PriceModel.PERCENT, currency, ANNUAL, percent=percent), D(1), term_months=12)))
    quote = price_document(lines, currency)
    assert quote.net_amount == sum((p.price.net_amount for p in quote.lines), D(0))
    assert quote.line("support").basis_per_period == 12 * sum(
        (p.price.amount_per_period for p in quote.lines[:-1]), D(0))
