"""Where an invoice stands against its due schedule; pure, no ORM.

What has been settled (paid, credited, written off: total less amount due) pays the instalments
in due-date order, so the unpaid money is always the latest instalments'. Aging and dunning read
an invoice through this rule.

>>> from datetime import date
>>> from decimal import Decimal as D
>>> schedule = [(date(2026, 1, 31), D("50")), (date(2026, 2, 28), D("50"))]
>>> unpaid_instalments(D("100"), D("70"), schedule)
[(datetime.date(2026, 1, 31), Decimal('20')), (datetime.date(2026, 2, 28), Decimal('50'))]
>>> position(D("100"), D("70"), schedule, date(2026, 2, 10))
Position(oldest_due_on=datetime.date(2026, 1, 31), overdue=Decimal('20'))
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Position:
    oldest_due_on: date | None  # earliest due date with money unpaid; None when nothing is
    overdue: Decimal  # unpaid on due dates up to today


def unpaid_instalments(total: Decimal, amount_due: Decimal,
                       schedule: Sequence[tuple[date, Decimal]]) -> list[tuple[date, Decimal]]:
    """(due date, unpaid) of each instalment still owing something, earliest first."""
    settled = total - amount_due
    unpaid = []
    for due_on, amount in sorted(schedule):
        take = min(settled, amount)
        settled -= take
        if amount - take > 0:
            unpaid.append((due_on, amount - take))
    return unpaid


def position(total: Decimal, amount_due: Decimal, schedule: Sequence[tuple[date, Decimal]],
             today: date) -> Position:
    unpaid = unpaid_instalments(total, amount_due, schedule)
    if not unpaid:
        return Position(None, ZERO)
    overdue = ZERO
    for due_on, amount in unpaid:  # earliest first
        if due_on > today:
            break
        overdue += amount
    return Position(unpaid[0][0], overdue)
