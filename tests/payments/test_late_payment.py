"""Late fees, late interest and the clearing order (payments.late_payment): worked examples
from public sources, and properties over generated amounts and dates. No database."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import round_money
from payments.late_payment import (
    ClearingOrder,
    DayCount,
    Kind,
    Open,
    RatePeriod,
    clearing,
    late_fee,
    late_interest,
    statutory_terms,
)

# ECB main refinancing rate on 1 January and 1 July 2024 (Directive 2011/7/EU art. 2(7)):
# 4.50% and 4.25%; enterprise.gov.ie: "With effect from 1 July 2024, the late payment interest
# rate is 12.25% per annum (... the ECB rate as at 1 July 2024 of 4.25% plus the margin of 8%)".
ECB = (RatePeriod(date(2024, 1, 1), D("4.50")), RatePeriod(date(2024, 7, 1), D("4.25")))
# Deutsche Bundesbank Basiszinssatz (BGB §247): 3.62% from 1 January 2024, 3.37% from 1 July 2024.
BASISZINS = (RatePeriod(date(2024, 1, 1), D("3.62")), RatePeriod(date(2024, 7, 1), D("3.37")))


def test_uk_statutory_interest_example_act_365():
    """payontime.co.uk forum, "8 1/2 % statutory interest" (Late Payment of Commercial Debts
    (Interest) Act 1998: base rate 0.5% + 8): £262.25 overdue 139 days → £8.49 interest, plus
    £40.00 fixed compensation; £310.74 owed in all."""
    interest = late_interest(D("262.25"), due_on=date(2013, 1, 1), end=date(2013, 5, 20),
                             reference=(RatePeriod(date(2009, 3, 5), D("0.5")),),
                             margin=D("8"), basis=DayCount.ACT_365, currency="GBP")
    fee = late_fee(D("262.25"), fixed=D("40"), percent=D("0"), currency="GBP")
    assert interest.days == 139
    assert interest.amount == D("8.49")
    assert D("262.25") + interest.amount + fee == D("310.74")


def test_eu_directive_rate_is_the_ecb_rate_in_force_plus_eight_points_by_day():
    """Directive 2011/7/EU art. 2(6)-(7) and enterprise.gov.ie: 12.50% to 30 June 2024 and
    12.25% from 1 July 2024, charged daily. EUR 10,000 due 20 June 2024, paid 10 July: 10 days
    at 12.50% and 10 at 12.25% → 10000 × (12.50 × 10 + 12.25 × 10) / 36500 = 67.81."""
    interest = late_interest(D("10000.00"), due_on=date(2024, 6, 20), end=date(2024, 7, 10),
                             reference=ECB, margin=D("8"), basis=DayCount.ACT_365,
                             currency="EUR")
    assert [(s.first, s.last, s.days, s.rate) for s in interest.slices] == [
        (date(2024, 6, 21), date(2024, 6, 30), 10, D("12.50")),
        (date(2024, 7, 1), date(2024, 7, 10), 10, D("12.25"))]
    assert interest.amount == D("67.81")


def test_bgb_288_business_rate_is_base_rate_plus_nine_points():
    """BGB §288(2): between businesses, the base rate (§247) + 9 points; §288(5): a EUR 40 lump
    sum. EUR 1,000 due 1 July 2024, 30 days to 31 July at 3.37 + 9 = 12.37% → 10.17."""
    interest = late_interest(D("1000.00"), due_on=date(2024, 7, 1), end=date(2024, 7, 31),
                             reference=BASISZINS, margin=D("9"), basis=DayCount.ACT_365,
                             currency="EUR")
    assert (interest.days, interest.amount) == (30, D("10.17"))
    assert late_fee(D("1000.00"), fixed=D("40"), percent=D("0"), currency="EUR") == D("40.00")


# The rates table finance keeps: the currency's series (the ECB rate) and Germany's own series
# of it (the Basiszinssatz), with the margins of the countries whose law sets one.
RATES = {("EUR", ""): ECB, ("EUR", "DE"): BASISZINS}
MARGINS = {"DE": D("9"), "FR": D("10")}


def test_a_german_debtor_owes_the_basiszinssatz_plus_nine_points():
    """vdwbayern.de (10 January 2024) and IHK Kassel: the Basiszinssatz is 3.62% from
    1 January 2024; between businesses (BGB §288(2)) 9 points over it, 12.62% a year.
    EUR 10,000 due 31 January 2024, 30 days to 1 March: 10000 × 12.62 × 30 / 36500 = 103.73."""
    reference, margin = statutory_terms("de", "EUR", RATES, MARGINS, D("8"))
    interest = late_interest(D("10000.00"), due_on=date(2024, 1, 31), end=date(2024, 3, 1),
                             reference=reference, margin=margin, basis=DayCount.ACT_365,
                             currency="EUR")
    assert [(s.days, s.rate) for s in interest.slices] == [(30, D("12.62"))]
    assert interest.amount == D("103.73")


def test_a_french_debtor_owes_the_ecb_rate_plus_ten_points():
    """Code de commerce L441-10 (agenceobjectifpaiement.com, exeoffice.eu): the ECB's most
    recent refinancing rate + 10 points, "soit 14,25 % pour le second semestre 2024" (4.25 + 10).
    EUR 10,000 due 31 July 2024, 30 days to 30 August: 10000 × 14.25 × 30 / 36500 = 117.12."""
    reference, margin = statutory_terms("FR", "EUR", RATES, MARGINS, D("8"))
    interest = late_interest(D("10000.00"), due_on=date(2024, 7, 31), end=date(2024, 8, 30),
                             reference=reference, margin=margin, basis=DayCount.ACT_365,
                             currency="EUR")
    assert [(s.days, s.rate) for s in interest.slices] == [(30, D("14.25"))]
    assert interest.amount == D("117.12")


def test_a_country_without_a_law_of_its_own_owes_the_currencys_rate_and_the_policys_margin():
    """Directive 2011/7/EU art. 2(6): at least 8 points over the ECB rate (12.25% from
    1 July 2024, enterprise.gov.ie), the policy's margin."""
    reference, margin = statutory_terms("IE", "EUR", RATES, MARGINS, D("8"))
    assert (reference, margin) == (ECB, D("8"))
    assert statutory_terms("DE", "GBP", RATES, MARGINS, D("8")) == ((), D("9"))


COUNTRIES = st.sampled_from(["DE", "FR", "IE", "de", ""])


@given(COUNTRIES, st.sampled_from(["EUR", "GBP"]), st.booleans(),
       st.decimals(min_value=0, max_value=20, places=2))
def test_a_countrys_own_series_and_margin_win_over_the_currencys_and_the_policys(
        country, currency, own_series, default):
    rates = {(currency, ""): ECB, **({(currency, "DE"): BASISZINS} if own_series else {})}
    reference, margin = statutory_terms(country, currency, rates, MARGINS, default)
    german = country.upper() == "DE"
    assert reference == (BASISZINS if german and own_series else ECB)
    assert margin == MARGINS.get(country.upper(), default)


def test_act_360_divides_by_360_days():
    """SAP Business One's dunning terms count 360 days in a year by default (ODUT.YearDays):
    EUR 10,000 for 30 days at 12.25% → 10000 × 12.25 × 30 / 36000 = 102.08 (act/365: 100.68)."""
    args = {"due_on": date(2024, 7, 1), "end": date(2024, 7, 31), "reference": ECB,
            "margin": D("8"), "currency": "EUR"}
    assert late_interest(D("10000"), basis=DayCount.ACT_360, **args).amount == D("102.08")
    assert late_interest(D("10000"), basis=DayCount.ACT_365, **args).amount == D("100.68")


def test_fees_fixed_percentage_or_both_per_level_rounded_to_the_currency():
    """Tryton account_dunning_fee: a level's fee is the product's list price (fixed) or a
    percentage of the due amount; ERPNext's dunning type adds a fixed dunning fee. 5% of
    USD 199.99 = 10.00 (9.9995 rounded); JPY has no minor unit."""
    assert late_fee(D("199.99"), fixed=D("0"), percent=D("5"), currency="USD") == D("10.00")
    assert late_fee(D("199.99"), fixed=D("15"), percent=D("5"), currency="USD") == D("25.00")
    assert late_fee(D("12345"), fixed=D("0"), percent=D("2.5"), currency="JPY") == D("309")
    assert late_fee(D("0"), fixed=D("40"), percent=D("0"), currency="EUR") == D("0")


def test_interest_never_charges_a_day_twice_and_nothing_before_the_day_after_due():
    args = {"reference": ECB, "margin": D("8"), "basis": DayCount.ACT_365, "currency": "EUR"}
    assert late_interest(D("100"), due_on=date(2024, 7, 1), end=date(2024, 7, 1),
                         **args).amount == 0
    later = late_interest(D("100"), due_on=date(2024, 7, 1), end=date(2024, 7, 31),
                          since=date(2024, 7, 20), **args)
    assert later.days == 11 and later.slices[0].first == date(2024, 7, 21)


def test_no_reference_rate_in_force_is_refused_in_words():
    with pytest.raises(ValueError, match="no reference rate is in force on 2023-12-02"):
        late_interest(D("100"), due_on=date(2023, 12, 1), end=date(2024, 1, 5), reference=ECB,
                      margin=D("8"), basis=DayCount.ACT_365, currency="EUR")


def test_bgb_367_costs_then_interest_then_principal():
    """BGB §367(1): a payment that does not cover everything is credited first to the costs,
    then to the interest and lastly to the principal. Owing 100 principal, 5 interest, 10
    costs, a payment of 12 clears the costs and 2 of the interest; principal first (no such
    rule) it clears 12 of the principal."""
    items = [Open(Kind.PRINCIPAL, "inv", D("100")), Open(Kind.INTEREST, "int", D("5")),
             Open(Kind.COSTS, "fee", D("10"))]
    german = clearing(D("12"), items, ClearingOrder.COSTS_INTEREST_PRINCIPAL)
    assert [(c.key, c.amount) for c in german] == [("fee", D("10")), ("int", D("2"))]
    elsewhere = clearing(D("12"), items, ClearingOrder.PRINCIPAL_FIRST)
    assert [(c.key, c.amount) for c in elsewhere] == [("inv", D("12"))]


cents = st.integers(min_value=0, max_value=10**9).map(lambda n: D(n) / 100)
kinds = st.sampled_from(list(Kind))


@given(amount=cents, opened=st.lists(st.tuples(kinds, cents), max_size=12),
       order=st.sampled_from(list(ClearingOrder)))
def test_clearing_adds_up_exactly_and_never_exceeds_what_is_open(amount, opened, order):
    items = [Open(kind, i, value) for i, (kind, value) in enumerate(opened)]
    cleared = clearing(amount, items, order)
    open_total = sum((i.amount for i in items), D(0))
    assert sum((c.amount for c in cleared), D(0)) == min(amount, open_total)
    by_key = {i.key: i for i in items}
    assert all(0 < c.amount <= by_key[c.key].amount for c in cleared)
    assert len({c.key for c in cleared}) == len(cleared)
    # a kind gets money only once every item of the kinds before it is cleared in full
    paid = {c.key: c.amount for c in cleared}
    for c in cleared:
        earlier = order.kinds[:order.kinds.index(c.kind)]
        assert all(paid.get(i.key) == i.amount for i in items
                   if i.kind in earlier and i.amount > 0)


days = st.integers(min_value=0, max_value=800)


@given(principal=cents.filter(lambda c: c > 0), start=st.integers(min_value=0, max_value=365),
       first=days, second=days, basis=st.sampled_from(list(DayCount)))
def test_interest_is_by_day_and_charging_in_two_steps_differs_by_at_most_a_cent(
        principal, start, first, second, basis):
    due = date(2024, 1, 1) + timedelta(days=start)
    middle, end = due + timedelta(days=first), due + timedelta(days=first + second)
    args = {"reference": ECB, "margin": D("8"), "basis": basis, "currency": "EUR"}
    whole = late_interest(principal, due_on=due, end=end, **args)
    part1 = late_interest(principal, due_on=due, end=middle, **args)
    part2 = late_interest(principal, due_on=due, end=end, since=middle, **args)
    assert whole.days == (end - due).days == part1.days + part2.days
    assert sum(s.days for s in whole.slices) == whole.days
    assert whole.amount == round_money(whole.amount, "EUR") >= 0
    assert abs(whole.amount - part1.amount - part2.amount) <= D("0.01")
    assert whole.amount <= round_money(principal * D("12.50") * whole.days
                                       / (100 * basis.days_in_year), "EUR")
