"""The credit note maths, without a database: worked examples and properties."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from billing.crediting import (
    LineLeft,
    credit_amount,
    credit_by_lines,
    split_settlement,
)

VAT20, VAT5 = ("VAT", D("20")), ("VAT", D("5"))
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda n: D(n).scaleb(-2))


def test_a_line_credited_in_thirds_credits_exactly_its_tax():
    seats = LineLeft(1, D("100.00"), {VAT20: D("20.00")})
    credited, taxes = D(0), {}
    for net in (D("33.33"), D("33.33"), D("33.34")):
        current = LineLeft(1, D("100.00"), {VAT20: D("20.00")}, credited, taxes)
        part = credit_by_lines([current], {1: net}, "USD")[0]
        credited += part.amount
        taxes = {VAT20: taxes.get(VAT20, D(0)) + part.taxes[VAT20]}
    assert (credited, taxes[VAT20]) == (D("100.00"), D("20.00"))
    assert seats.gross_left == D("120.00")


def test_an_amount_is_split_at_each_lines_ratio():
    lines = [LineLeft(1, D("100.00"), {VAT20: D("20.00")}),
             LineLeft(2, D("50.00"), {VAT5: D("2.50")})]
    parts = credit_amount(lines, D("17.25"), "USD")
    # 17.25 split 120.00 : 52.50 is 12.00 and 5.25; each split at its line's 20% and 5%
    assert [(p.amount, p.tax) for p in parts] == [(D("10.00"), D("2.00")),
                                                  (D("5.00"), D("0.25"))]


@given(st.lists(st.tuples(cents, st.sampled_from(["0", "5", "20"])), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=100))
def test_a_credited_amount_adds_up_exactly_and_never_exceeds_a_line(nets, percent_of_total):
    lines = []
    for i, (net, rate) in enumerate(nets, start=1):
        tax = (net * D(rate) / 100).quantize(D("0.01"))
        lines.append(LineLeft(i, net, {("VAT", D(rate)): tax} if rate != "0" else {}))
    gross = sum(ln.gross_left for ln in lines)
    amount = max((gross * percent_of_total / 100).quantize(D("0.01")), D("0.01"))

    parts = credit_amount(lines, amount, "USD")

    assert sum(p.amount + p.tax for p in parts) == amount
    by_id = {ln.line_id: ln for ln in lines}
    for part in parts:
        assert D(0) <= part.amount <= by_id[part.line_id].amount_left
        for key, tax in part.taxes.items():
            assert D(0) <= tax <= by_id[part.line_id].taxes[key]


@given(cents, cents, st.booleans())
def test_settlement_splits_the_credit_between_the_amount_due_and_the_customer(total, due,
                                                                              is_open):
    applied, excess = split_settlement(total, due, is_open)
    assert applied + excess == total and applied >= 0 and excess >= 0
    assert applied <= (due if is_open else 0)
