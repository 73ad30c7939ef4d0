"""Allocation invariants as properties (pure, no database): a split never applies more than
the amount or more than an invoice is due, and adds up exactly; every cash entry balances and
clears each receivable at its booked rate, whatever the rates, amounts and discounts."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.money import round_money
from ledger import chart
from ledger.fx import convert
from payments.journals import Part, Payer, cash_entry
from payments.services.cash import split_across

DAY = date(2026, 11, 23)
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n).scaleb(-2))
rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=6)


@dataclass
class Due:
    pk: int
    amount_due: Decimal
    due_on: date
    currency: str = "USD"


@st.composite
def invoices(draw):
    dues = draw(st.lists(cents, min_size=1, max_size=8))
    same_day = draw(st.booleans())
    return [Due(i + 1, amount, DAY if same_day else DAY + timedelta(days=i))
            for i, amount in enumerate(dues)]


@given(cents, invoices())
def test_a_split_never_exceeds_the_amount_or_any_amount_due(amount, dues):
    parts = split_across(amount, dues)
    by_pk = {d.pk: d for d in dues}
    assert sum(p.amount for p in parts) == min(amount, sum(d.amount_due for d in dues))
    for part in parts:
        assert 0 < part.amount <= by_pk[part.invoice_id].amount_due
        assert part.amount == round_money(part.amount, "USD")


@st.composite
def applications(draw):
    count = draw(st.integers(min_value=0, max_value=5))
    parts = []
    for n in range(count):
        amount = draw(cents)
        discount = draw(st.sampled_from([Decimal(0), round_money(amount / 50, "USD")]))
        tax = draw(st.sampled_from([Decimal(0), round_money(discount / 6, "USD")]))
        parts.append(Part(n + 1, f"INV-{n}", draw(rates), amount, discount - tax, tax))
    return parts


def _sums(entry):
    assert all((line.debit > 0) != (line.credit > 0) for line in entry.lines)
    debit = sum((line.debit for line in entry.lines), Decimal(0))
    credit = sum((line.credit for line in entry.lines), Decimal(0))
    return debit, credit


@given(applications(), rates, cents)
def test_a_receipt_balances_and_clears_each_receivable_at_its_booked_rate(parts, rate, extra):
    cash = sum((p.amount for p in parts), Decimal(0)) + extra
    entry, results = cash_entry(payer=Payer(1, "EUR", rate, "PAY-1"), day=DAY, memo="t",
                                parts=parts, functional_currency="USD", cash=cash)
    debit, credit = _sums(entry)
    assert debit == credit
    receivable = sum((line.credit for line in entry.lines
                      if line.gl_code == chart.ACCOUNTS_RECEIVABLE), Decimal(0))
    for part, result in zip(parts, results, strict=True):
        booked = convert(part.amount + part.discount, part.booked_rate, "USD")
        assert result.functional_amount == booked
    assert receivable == sum((r.functional_amount for r in results), Decimal(0))


@given(applications(), rates)
def test_taking_cash_back_off_invoices_balances_too(parts, rate):
    back = [Part(p.invoice_id, p.label, p.booked_rate, -p.amount) for p in parts]
    refund = -sum((p.amount for p in parts), Decimal(0))
    entry, _ = cash_entry(payer=Payer(1, "EUR", rate, "PAY-1"), day=DAY, memo="t", parts=back,
                          functional_currency="USD", cash=refund)
    debit, credit = _sums(entry)
    assert debit == credit


@given(st.lists(cents, min_size=1, max_size=6), rates)
def test_a_credit_balance_drawn_in_pieces_returns_customer_credits_to_zero(pieces, rate):
    payer = Payer(1, "EUR", rate, "PAY-1")
    total = sum(pieces, Decimal(0))
    receipt, _ = cash_entry(payer=payer, day=DAY, memo="r", parts=[],
                            functional_currency="USD", cash=total)
    balance = sum((line.credit - line.debit for line in receipt.lines
                   if line.gl_code == chart.CUSTOMER_CREDITS), Decimal(0))
    left = total
    for n, piece in enumerate(pieces):
        entry, _ = cash_entry(payer=payer, day=DAY, memo="a",
                              parts=[Part(n, "INV", rate, piece)],
                              functional_currency="USD", credit_before=left)
        left -= piece
        balance += sum((line.credit - line.debit for line in entry.lines
                        if line.gl_code == chart.CUSTOMER_CREDITS), Decimal(0))
    assert balance == 0
