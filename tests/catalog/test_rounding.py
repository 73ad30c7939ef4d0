"""Rounding policies and cash rounding: worked examples, then hypothesis properties. No DB."""

import doctest
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import rounding
from catalog.rounding import (
    CashRounding,
    RoundingMode,
    RoundingPolicy,
    cash_round,
    credited_cash_rounding,
)
from catalog.tax import TaxLine, TaxRate, TaxRounding, tax_document
from core.money import allocate, round_money


def test_module_docstring_examples_hold():
    assert doctest.testmod(rounding).failed == 0


@pytest.mark.parametrize(("amount", "half_up", "half_even"), [
    ("2.345", "2.35", "2.34"), ("2.355", "2.36", "2.36"), ("-2.345", "-2.35", "-2.34"),
    ("0.005", "0.01", "0.00"), ("-0.005", "-0.01", "-0.00"), ("1.004", "1.00", "1.00"),
    ("123.425", "123.43", "123.42"),  # Oracle Documaker's BankRound / Round example
])
def test_half_up_goes_away_from_zero_and_half_even_to_the_even_cent(amount, half_up, half_even):
    assert round_money(D(amount), "EUR", RoundingMode.HALF_UP.decimal) == D(half_up)
    assert round_money(D(amount), "EUR", RoundingMode.HALF_EVEN.decimal) == D(half_even)


# Odoo, cash rounding (https://www.odoo.com/documentation/saas-16.2/applications/finance/
# accounting/customer_invoices/cash_rounding.html): "round ... the total amount of an invoice to
# the nearest five cents", with "a rounding line" on its own account. Swiss francs: to 0.05.
@pytest.mark.parametrize(("total", "rounded", "adjustment"), [
    ("10.02", "10.00", "-0.02"), ("10.03", "10.05", "0.02"), ("10.025", None, None),
    ("10.00", "10.00", "0.00"), ("10.07", "10.05", "-0.02"), ("10.08", "10.10", "0.02"),
    ("-10.03", "-10.05", "-0.02"),  # a credit note rounds as the mirror of its invoice
])
def test_swiss_francs_round_to_five_centimes_on_their_own_line(total, rounded, adjustment):
    if rounded is None:
        with pytest.raises(ValueError, match="not rounded to CHF"):
            cash_round(D(total), "CHF", D("0.05"))
        return
    assert cash_round(D(total), "CHF", D("0.05")) == CashRounding(D(total), D(rounded),
                                                                   D(adjustment))


def test_a_tie_is_broken_by_the_books_mode():
    assert cash_round(D("0.10"), "SEK", D("0.20")).rounded == D("0.20")
    assert cash_round(D("0.10"), "SEK", D("0.20"), RoundingMode.HALF_EVEN).rounded == D("0.00")
    assert cash_round(D("0.30"), "SEK", D("0.20"), RoundingMode.HALF_EVEN).rounded == D("0.40")


def test_a_step_finer_than_the_currency_or_not_positive_is_refused():
    with pytest.raises(ValueError, match="whole number of JPY's minor unit"):
        cash_round(D(100), "JPY", D("0.5"))
    with pytest.raises(ValueError, match="greater than zero"):
        cash_round(D(100), "USD", D(0))


# The remainder rule every split uses (core.money.allocate): floors, then one minor unit each to
# the largest remainders, ties to the earlier part; a negative whole splits as its mirror.
def test_the_odd_cent_goes_to_the_largest_remainder_then_the_earlier_line():
    assert allocate(D("0.10"), [1, 1, 1], "USD") == [D("0.04"), D("0.03"), D("0.03")]
    assert allocate(D("-0.10"), [1, 1, 1], "USD") == [D("-0.04"), D("-0.03"), D("-0.03")]
    assert allocate(D("1.00"), [1, 2], "USD") == [D("0.33"), D("0.67")]


def test_a_policy_reads_back_from_what_a_document_stores():
    policy = RoundingPolicy(RoundingMode.HALF_EVEN, TaxRounding.PER_DOCUMENT, D("0.05"))
    assert policy.to_dict() == {"mode": "half_even", "tax": "per_document", "cash_step": "0.05"}
    assert RoundingPolicy.from_dict(policy.to_dict()) == policy
    assert RoundingPolicy.from_dict({}) == RoundingPolicy()
    assert RoundingPolicy().tax is None  # the company default


# ---- properties -------------------------------------------------------------------------------

steps = st.sampled_from([D("0.05"), D("0.10"), D("0.20"), D("1.00"), D("0.01")])
totals = st.integers(min_value=-10**9, max_value=10**9).map(lambda c: D(c).scaleb(-2))


@given(totals, steps, st.sampled_from(list(RoundingMode)))
def test_cash_rounding_lands_on_a_step_within_half_a_step_and_is_stable(total, step, mode):
    result = cash_round(total, "CHF", step, mode)
    assert result.rounded % step == 0
    assert abs(result.adjustment) <= step / 2
    assert result.total + result.adjustment == result.rounded
    assert cash_round(result.rounded, "CHF", step, mode).adjustment == 0


@given(totals, steps, st.sampled_from(list(RoundingMode)))
def test_cash_rounding_is_symmetric_for_negatives(total, step, mode):
    assert cash_round(-total, "CHF", step, mode).rounded == -cash_round(total, "CHF", step,
                                                                        mode).rounded


@given(st.decimals(min_value=-10**6, max_value=10**6, places=4),
       st.sampled_from(list(RoundingMode)))
def test_both_modes_are_symmetric_and_within_half_a_cent(amount, mode):
    rounded = round_money(amount, "USD", mode.decimal)
    assert round_money(-amount, "USD", mode.decimal) == -rounded
    assert abs(rounded - amount) <= D("0.005")


@given(totals, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=10))
def test_a_negative_whole_splits_as_the_mirror_of_its_positive(total, weights):
    assert allocate(-total, weights, "USD") == [-part for part in allocate(total, weights, "USD")]


# The tie rule is a setting in the systems compared: Frappe/ERPNext's configurable rounding
# methods, "Banker's Rounding" or "Commercial Rounding" (frappe/frappe#20330, System Settings);
# Odoo rounds tax "HALF-UP" by default (OCA account_tax_rounding_method, "Use Cases"). Oracle's
# BankRound example: 123.425 → 123.42 half even, 123.43 half up. Here 5 % of 2.50 is 0.125:
# half up 0.13, half even 0.12 (2 is even); per document, 3 × 0.125 = 0.375: 0.38 either way
# (8 is the even neighbour).
@pytest.mark.parametrize(("mode", "per_line", "per_document"), [
    (RoundingMode.HALF_UP, [D("0.13")] * 3, D("0.38")),
    (RoundingMode.HALF_EVEN, [D("0.12")] * 3, D("0.38")),
])
def test_the_books_mode_breaks_a_tax_tie(mode, per_line, per_document):
    vat = (TaxRate("VAT", D(5)),)
    lines = [TaxLine(k, D("2.50"), vat) for k in "abc"]

    line_taxes = tax_document(lines, "EUR", mode=mode.decimal)
    document = tax_document(lines, "EUR", rounding=TaxRounding.PER_DOCUMENT, mode=mode.decimal)

    assert [line.tax for line in line_taxes.lines] == per_line
    assert document.tax == per_document


def test_credit_notes_take_back_the_invoices_cash_rounding_in_parts():
    """CHF 46.87 invoiced rounds to 46.85 (−0.02); credited 20.01 then 26.86: the first note
    rounds 20.01 → 20.00 (−0.01), the second takes what is left (−0.01): 26.85."""
    first = credited_cash_rounding(credited_before=D(0), rounding_before=D(0),
                                   credited_now=D("20.01"), currency="CHF", step=D("0.05"))
    second = credited_cash_rounding(credited_before=D("20.01"), rounding_before=first,
                                    credited_now=D("26.86"), currency="CHF", step=D("0.05"))
    assert (first, second) == (D("-0.01"), D("-0.01"))
    assert first + second == cash_round(D("46.87"), "CHF", D("0.05")).adjustment


@given(st.integers(min_value=1, max_value=10**7).map(lambda c: D(c).scaleb(-2)),
       st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=6),
       steps, st.sampled_from(list(RoundingMode)))
def test_credit_notes_that_credit_the_whole_invoice_take_back_exactly_its_rounding(
        gross, weights, step, mode):
    invoiced = cash_round(gross, "CHF", step, mode)
    credited, rounding_back, totals_back = D(0), D(0), []
    for part in allocate(gross, weights, "CHF"):
        rounding = credited_cash_rounding(credited_before=credited, rounding_before=rounding_back,
                                          credited_now=part, currency="CHF", step=step,
                                          mode=mode)
        credited, rounding_back = credited + part, rounding_back + rounding
        totals_back.append(part + rounding)
        assert (part + rounding) % step == 0 or part == 0
        assert abs(rounding) <= step
    assert rounding_back == invoiced.adjustment
    assert sum(totals_back) == invoiced.rounded


@pytest.mark.parametrize("value,expected", [
    ("line", TaxRounding.PER_LINE), (" Invoice ", TaxRounding.PER_DOCUMENT),
    ("per_document", TaxRounding.PER_DOCUMENT)])
def test_the_tax_rounding_setting_is_read_by_the_policies(settings, value, expected):
    from catalog import policies

    settings.TAX_ROUNDING = value
    assert policies.tax_rounding() == expected


def test_an_unknown_tax_rounding_setting_is_refused(settings):
    from catalog import policies

    settings.TAX_ROUNDING = "banker"
    with pytest.raises(ValueError, match="use 'line' or 'invoice'"):
        policies.tax_rounding()
