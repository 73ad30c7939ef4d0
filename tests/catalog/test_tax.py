"""Tax: worked examples (VAT, GST + PST, compound, inclusive, exempt) and properties. No DB."""

import doctest
from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from catalog import tax
from catalog.tax import (
    InclusiveRounding,
    TaxLine,
    TaxRate,
    TaxRateRecord,
    TaxRounding,
    applicable_rates,
    tax_document,
    tax_line,
)
from core.money import allocate, round_money

VAT20 = TaxRate("VAT", D(20))
GST = TaxRate("GST", D(5))
QST = TaxRate("QST", D("9.975"))


def test_module_docstring_examples_hold():
    assert doctest.testmod(tax).failed == 0


def test_exclusive_vat_is_added_to_the_net():
    line = tax_line(TaxLine("a", D("99.99"), (VAT20,)), "GBP")
    assert (line.net, line.tax, line.gross) == (D("99.99"), D("20.00"), D("119.99"))
    assert line.taxes == (tax.TaxAmount("VAT", D(20), D("20.00")),)


def test_inclusive_vat_is_extracted_from_the_gross():
    line = tax_line(TaxLine("a", D("119.99"), (VAT20,)), "GBP", inclusive=True)
    assert (line.net, line.tax, line.gross) == (D("99.99"), D("20.00"), D("119.99"))


def test_side_by_side_taxes_are_each_charged_on_the_net():
    line = tax_line(TaxLine("a", D("100.00"), (GST, TaxRate("PST", D(7)))), "CAD")
    assert [t.amount for t in line.taxes] == [D("5.00"), D("7.00")]
    assert line.gross == D("112.00")


def test_a_compound_tax_is_charged_on_the_net_plus_the_taxes_before_it():
    quebec_1990s = (GST, TaxRate("QST", D("7.5"), compound=True))
    line = tax_line(TaxLine("a", D("100.00"), quebec_1990s), "CAD")
    assert [t.amount for t in line.taxes] == [D("5.00"), D("7.88")]  # 7.5% of 105 = 7.875
    assert line.tax == D("12.88")


def test_a_lines_taxes_add_up_to_its_rounded_tax():
    # 0.10 at 5% and 9.975%: 0.005 + 0.009975 = 0.014975 → 0.01, split by largest remainder.
    line = tax_line(TaxLine("a", D("0.10"), (GST, QST)), "CAD")
    assert line.tax == D("0.01")
    assert sum(t.amount for t in line.taxes) == line.tax


def test_yen_and_dinar_round_to_their_own_minor_units():
    assert tax_line(TaxLine("a", D("1999"), (TaxRate("JCT", D(10)),)), "JPY").tax == D("200")
    assert tax_line(TaxLine("a", D("10.005"), (TaxRate("VAT", D(5)),)), "KWD").tax == D("0.500")


def test_exempt_customers_pay_no_tax_and_the_net_of_an_inclusive_price():
    exclusive = tax_line(TaxLine("a", D("100.00"), (VAT20,)), "EUR", exempt=True)
    assert (exclusive.net, exclusive.tax, exclusive.gross, exclusive.taxes) == (
        D("100.00"), D("0.00"), D("100.00"), ())
    inclusive = tax_line(TaxLine("a", D("120.00"), (VAT20,)), "EUR", inclusive=True, exempt=True)
    assert (inclusive.net, inclusive.tax, inclusive.gross) == (D("100.00"), D("0.00"),
                                                               D("100.00"))


def test_per_line_and_per_document_rounding_differ_by_the_odd_cents():
    lines = [TaxLine(str(i), D("0.10"), (TaxRate("VAT", D(5)),)) for i in range(10)]
    per_line = tax_document(lines, "EUR")
    per_document = tax_document(lines, "EUR", rounding=TaxRounding.PER_DOCUMENT)
    assert per_line.tax == D("0.10")  # ten lines each 0.005 → 0.01
    assert per_document.tax == D("0.05")  # 0.05 exactly, spread over five lines
    assert sum(line.tax for line in per_document.lines) == per_document.tax
    assert per_document.taxes == (tax.TaxAmount("VAT", D(5), D("0.05")),)


def test_a_credit_line_rounds_separately_from_the_charges():
    lines = [TaxLine("charge", D("10.05"), (VAT20,)), TaxLine("credit", D("-0.05"), (VAT20,))]
    doc = tax_document(lines, "GBP", rounding=TaxRounding.PER_DOCUMENT)
    assert [line.tax for line in doc.lines] == [D("2.01"), D("-0.01")]
    assert doc.gross == D("12.00")


def test_unrounded_line_amounts_are_refused():
    import pytest

    with pytest.raises(ValueError, match="not rounded"):
        tax_line(TaxLine("a", D("1.005"), (VAT20,)), "USD")


# ---- which rates apply -----------------------------------------------------------------------

RECORDS = [
    TaxRateRecord("VAT", D("17.5"), "GB", date(2008, 12, 1), effective_to=date(2010, 12, 31)),
    TaxRateRecord("VAT", D(20), "GB", date(2011, 1, 1)),
    TaxRateRecord("VAT", D(0), "GB", date(2011, 1, 1), category="books"),
    TaxRateRecord("GST", D(5), "CA", date(2008, 1, 1), sequence=1),
    TaxRateRecord("PST", D(7), "CA", date(2013, 4, 1), region="BC", sequence=2),
    TaxRateRecord("QST", D("9.975"), "CA", date(2013, 1, 1), region="QC", sequence=2),
    TaxRateRecord("Sales tax", D("7.25"), "US", date(2017, 1, 1), region="CA"),
]


def test_rates_follow_their_effective_dates():
    assert applicable_rates(RECORDS, country="GB", on=date(2010, 6, 1)) == (
        TaxRate("VAT", D("17.5")),)
    assert applicable_rates(RECORDS, country="gb", on=date(2011, 1, 1)) == (VAT20,)


def test_a_category_rate_replaces_the_general_one():
    assert applicable_rates(RECORDS, country="GB", category="books", on=date(2026, 1, 1)) == (
        TaxRate("VAT", D(0)),)


def test_country_and_regional_rates_apply_together_in_sequence():
    assert applicable_rates(RECORDS, country="CA", region="BC", on=date(2026, 1, 1)) == (
        GST, TaxRate("PST", D(7)))
    assert applicable_rates(RECORDS, country="CA", region="ON", on=date(2026, 1, 1)) == (GST,)
    assert applicable_rates(RECORDS, country="US", region="NY", on=date(2026, 1, 1)) == ()
    assert applicable_rates(RECORDS, country="DE", on=date(2026, 1, 1)) == ()


# ---- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD"])
percents = st.decimals(min_value=0, max_value=30, places=3)
rate_sets = st.lists(st.tuples(percents, st.booleans()), min_size=1, max_size=3).map(
    lambda rs: tuple(TaxRate(f"T{i}", p, c) for i, (p, c) in enumerate(rs)))


def _rounded(units, currency):
    places = {"JPY": 0, "KWD": 3}.get(currency, 2)
    return D(units).scaleb(-places)


@given(units=st.integers(0, 10**9), rates=rate_sets, currency=currencies)
def test_inclusive_then_exclusive_round_trips(units, rates, currency):
    net = _rounded(units, currency)
    forward = tax_line(TaxLine("a", net, rates), currency)
    back = tax_line(TaxLine("a", forward.gross, rates), currency, inclusive=True)
    assert (back.net, back.tax, back.gross) == (forward.net, forward.tax, forward.gross)


@given(amounts=st.lists(st.integers(-10**6, 10**7), min_size=1, max_size=12),
       rates=rate_sets, currency=currencies, inclusive=st.booleans())
def test_line_taxes_add_up_to_the_document_tax_rounded_per_document(amounts, rates, currency,
                                                                    inclusive):
    lines = [TaxLine(str(i), _rounded(a, currency), rates) for i, a in enumerate(amounts)]
    doc = tax_document(lines, currency, inclusive=inclusive, rounding=TaxRounding.PER_DOCUMENT)
    assert sum((line.tax for line in doc.lines), D(0)) == doc.tax
    assert sum((t.amount for t in doc.taxes), D(0)) == doc.tax
    assert doc.net + doc.tax == doc.gross
    # Each tax is summed exactly over the document and rounded once (charges and credits apart).
    shares = tax.tax_shares(rates)
    factor = 1 + sum(shares, D(0))
    for share, total in zip(shares, doc.taxes, strict=True):
        bases = [line.amount / factor if inclusive else line.amount for line in lines]
        charges = sum((b * share for b in bases if b * share >= 0), D(0))
        credits = sum((b * share for b in bases if b * share < 0), D(0))
        assert total.amount == round_money(charges, currency) + round_money(credits, currency)
    unit = _rounded(1, currency)
    for line in doc.lines:
        single = tax_line(TaxLine(line.key, lines[int(line.key)].amount, rates), currency,
                          inclusive=inclusive)
        assert abs(line.tax - single.tax) <= unit * len(rates)


# ---- tax-inclusive prices: which of net and tax is rounded first ------------------------------

NET_FIRST, TAX_FIRST = InclusiveRounding.NET_FIRST, InclusiveRounding.TAX_FIRST


def test_zuoras_worked_example_of_rounding_the_net_or_the_tax_of_an_inclusive_price():
    # Zuora, "Rounding rule for inclusive tax mode" (docs.zuora.com, Billing > Define Billing
    # Rules): $2.99 including 4% VAT. Rounding Net Amount: net = round(2.99 / 1.04) =
    # round(2.875) = 2.88, tax = 2.99 - 2.88 = 0.11. Rounding Tax Amount: tax =
    # round(2.99 × 0.04 / 1.04) = round(0.115) = 0.12 (net 2.87).
    line = TaxLine("a", D("2.99"), (TaxRate("VAT", D(4)),))
    net_first = tax_line(line, "USD", inclusive=True, inclusive_rounding=NET_FIRST)
    tax_first = tax_line(line, "USD", inclusive=True, inclusive_rounding=TAX_FIRST)
    assert (net_first.net, net_first.tax) == (D("2.88"), D("0.11"))
    assert (tax_first.net, tax_first.tax) == (D("2.87"), D("0.12"))
    document = tax_document([line, line], "USD", inclusive=True, inclusive_rounding=NET_FIRST,
                            rounding=TaxRounding.PER_DOCUMENT)
    assert (document.net, document.tax) == (D("5.75"), D("0.23"))  # 5.98 / 1.04 = 5.75 exactly


def test_odoos_seven_euro_example_off_a_tie_both_rules_agree_and_add_up_to_the_price():
    # Odoo commit c6a9bab (opw-777221): a product sold at 7.00 with a 21% tax included showed
    # 5.79 + 1.22 = 7.01; the net must be 7.00 / 1.21 = 5.785... → 5.79 and the tax the rest,
    # 1.21. Dynamics NAV ("VAT Rounding Type", learn.microsoft.com) states the same rule for an
    # amount including VAT: round the amount excluding VAT, then the VAT by subtraction.
    line = TaxLine("a", D("7.00"), (TaxRate("VAT", D(21)),))
    for rule in InclusiveRounding:
        result = tax_line(line, "EUR", inclusive=True, inclusive_rounding=rule)
        assert (result.net, result.tax, result.gross) == (D("5.79"), D("1.21"), D("7.00"))


@given(amounts=st.lists(st.integers(-10**6, 10**7), min_size=1, max_size=8),
       rates=rate_sets, currency=currencies, rounding=st.sampled_from(list(TaxRounding)))
def test_exclusive_prices_never_depend_on_the_inclusive_rule(amounts, rates, currency,
                                                            rounding):
    lines = [TaxLine(str(i), _rounded(a, currency), rates) for i, a in enumerate(amounts)]
    first, second = (tax_document(lines, currency, rounding=rounding, inclusive_rounding=rule)
                     for rule in InclusiveRounding)
    assert first == second


@given(units=st.integers(-10**9, 10**9), rates=rate_sets, currency=currencies)
def test_net_first_rounds_the_extracted_net_and_differs_from_tax_first_by_a_unit_at_most(
        units, rates, currency):
    gross = _rounded(units, currency)
    line = TaxLine("a", gross, rates)
    net_first = tax_line(line, currency, inclusive=True, inclusive_rounding=NET_FIRST)
    tax_first = tax_line(line, currency, inclusive=True, inclusive_rounding=TAX_FIRST)
    factor = 1 + sum(tax.tax_shares(rates), D(0))
    assert net_first.net == round_money(gross / factor, currency)
    assert net_first.net + net_first.tax == gross == tax_first.net + tax_first.tax
    assert sum((t.amount for t in net_first.taxes), D(0)) == net_first.tax
    assert abs(net_first.tax - tax_first.tax) <= _rounded(1, currency)


@given(units=st.integers(0, 10**9), rates=rate_sets, currency=currencies)
def test_net_first_round_trips_an_exclusive_price(units, rates, currency):
    forward = tax_line(TaxLine("a", _rounded(units, currency), rates), currency)
    back = tax_line(TaxLine("a", forward.gross, rates), currency, inclusive=True,
                    inclusive_rounding=NET_FIRST)
    assert (back.net, back.tax) == (forward.net, forward.tax)


def test_a_credits_tax_that_rounds_to_nothing_is_an_unsigned_zero():
    """Texas state sales tax, 6.25% (Texas Comptroller, "Sales and Use Tax"), on a credit of
    4 cents: -0.0025 rounds half away from zero to -0.00, kept as "0.00" in the line's tax
    detail, as the split between a line's taxes has always given it (a line's only tax is
    not split, issue 23)."""
    texas = (TaxRate("Texas sales tax", D("6.25")),)

    for rounding in TaxRounding:
        [line] = tax_document([TaxLine("credit", D("-0.04"), texas)], "USD",
                              rounding=rounding).lines

        assert [str(t.amount) for t in line.taxes] == ["0.00"]
        assert (str(line.tax), line.gross) == ("0.00", D("-0.04"))


@given(units=st.integers(-10**7, 10**7), percent=percents, currency=currencies,
       inclusive=st.booleans(), rounding=st.sampled_from(list(TaxRounding)))
def test_a_lines_only_tax_is_the_rounded_total_as_allocate_splits_it(units, percent, currency,
                                                                     inclusive, rounding):
    """A line with one tax takes the rounded total whole, digit for digit what `allocate`
    gives for a single part (its sign of zero and its places included)."""
    rate = TaxRate("T", percent)
    amount = _rounded(units, currency)
    [line] = tax_document([TaxLine("a", amount, (rate,))], currency, inclusive=inclusive,
                          rounding=rounding).lines
    [share] = tax.tax_shares((rate,))
    exact = (amount / (1 + share) if inclusive else amount) * share

    assert [str(t.amount) for t in line.taxes] == [
        str(part) for part in allocate(round_money(exact, currency), [abs(exact)], currency)]
