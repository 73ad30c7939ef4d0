"""The invoice entry's conversion to the functional currency (billing.journal)."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from billing import journal
from core.money import allocate
from ledger import chart
from ledger.fx import convert

# amounts of up to three places (a KWD invoice, or a USD one not rounded to the cent), signed
AMOUNTS = st.lists(st.decimals(min_value=Decimal("-10000000000000"),
                               max_value=Decimal("10000000000000"), places=3,
                               allow_nan=False, allow_infinity=False).filter(bool),
                   min_size=1, max_size=6)


def _split_by_allocate(amounts, rate, functional):
    """The entry's lines as the conversion and its largest-remainder split give them."""
    credits = [abs(a) for a in amounts if a > 0]
    debits = [abs(a) for a in amounts if a < 0]
    return [allocate(convert(sum(part, Decimal(0)), rate, functional), part, functional)
            if part else [] for part in (credits, debits)]


def _entry_amounts(amounts, rate, functional):
    parts = tuple(journal.Part(chart.DEFERRED_REVENUE, a, f"Line {n}")
                  for n, a in enumerate(amounts))
    invoice = journal.InvoiceAmounts("INV-1", 1, "USD", date(2026, 12, 1), rate, parts)
    credits, debits = [], []
    entry, _ = journal.invoice_entry(invoice, functional=functional)
    for line in entry.lines if entry else ():
        if line.gl_code == chart.ACCOUNTS_RECEIVABLE:
            continue
        (credits if line.credit else debits).append(line.credit or line.debit)
    return [credits, debits]


@given(AMOUNTS, st.sampled_from(["USD", "KWD", "JPY"]),
       st.sampled_from([Decimal(1), Decimal("1.000000"), Decimal("0.92")]))
def test_the_lines_are_what_converting_and_splitting_gives(amounts, functional, rate):
    # at a rate of 1 the conversion is skipped when every amount is in the functional minor
    # unit: the lines must be the ones the conversion would have given, to the last digit
    if sum(a for a in amounts if a > 0) < sum(-a for a in amounts if a < 0):
        amounts = [-a for a in amounts]  # a negative invoice has no entry
    expected = [[a for a in part if a] for part in _split_by_allocate(amounts, rate, functional)]
    got = _entry_amounts(amounts, rate, functional)
    assert got == expected
    assert [[str(a) for a in part] for part in got] == \
        [[str(a) for a in part] for part in expected]
