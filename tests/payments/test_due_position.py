"""Where an invoice stands against its due schedule (pure): settled money pays the earliest
instalments first."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from payments.due_position import position, unpaid_instalments

START = date(2026, 1, 1)
amounts = st.integers(min_value=1, max_value=100_000).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def schedules(draw):
    parts = draw(st.lists(amounts, min_size=1, max_size=6))
    schedule = [(START + timedelta(days=30 * i), a) for i, a in enumerate(parts)]
    total = sum(parts, Decimal(0))
    due = draw(st.integers(min_value=0, max_value=int(total * 100)))
    return schedule, total, Decimal(due).scaleb(-2)


@given(schedules())
def test_the_unpaid_parts_add_up_to_the_amount_due_and_are_the_latest(case):
    schedule, total, amount_due = case
    unpaid = unpaid_instalments(total, amount_due, schedule)
    assert sum((a for _, a in unpaid), Decimal(0)) == amount_due
    assert all(0 < a <= dict(schedule)[d] for d, a in unpaid)
    if unpaid:  # every instalment after the first unpaid one is wholly unpaid
        first = unpaid[0][0]
        assert all(a == dict(schedule)[d] for d, a in unpaid[1:])
        assert all(d >= first for d, _ in unpaid)


def test_worked_example_partly_paid_first_instalment():
    schedule = [(date(2026, 1, 31), Decimal("50")), (date(2026, 2, 28), Decimal("50"))]
    assert position(Decimal("100"), Decimal("70"), schedule, date(2026, 2, 10)).overdue == 20
    assert position(Decimal("100"), Decimal("70"), schedule, date(2026, 3, 1)).overdue == 70
    assert position(Decimal("100"), Decimal("0"), schedule, date(2026, 3, 1)).oldest_due_on \
        is None
