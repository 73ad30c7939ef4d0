"""Spreading customer credit over invoices (payments.credit_rules): properties. No database."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from payments.credit_rules import spread

cents = st.integers(min_value=0, max_value=10**8).map(lambda n: D(n) / 100)


def test_oldest_credit_first_onto_each_invoice_in_turn():
    """Stripe applies a customer's credit balance to the next invoice before charging; with
    two credit notes of 30 and 50 and invoices of 40 and 25, the first credit is used up on the
    first invoice and the second covers the rest of both, 15 of it left."""
    parts = spread([("cn1", D("30")), ("cn2", D("50"))], [("inv1", D("40")), ("inv2", D("25"))])
    assert parts == [("cn1", "inv1", D("30")), ("cn2", "inv1", D("10")),
                     ("cn2", "inv2", D("25"))]


@given(st.lists(cents, max_size=6), st.lists(cents, max_size=6))
def test_parts_add_up_and_never_exceed_a_credit_or_an_invoice(credit_amounts, invoice_amounts):
    credits = [(f"c{i}", a) for i, a in enumerate(credit_amounts)]
    wanted = [(f"i{i}", a) for i, a in enumerate(invoice_amounts)]
    parts = spread(credits, wanted)
    applied = sum((p[2] for p in parts), D(0))
    assert applied == min(sum(credit_amounts, D(0)), sum(invoice_amounts, D(0)))
    for key, amount in credits:
        assert sum((p[2] for p in parts if p[0] == key), D(0)) <= amount
    for key, amount in wanted:
        assert sum((p[2] for p in parts if p[1] == key), D(0)) <= amount
    assert all(p[2] > 0 for p in parts)
