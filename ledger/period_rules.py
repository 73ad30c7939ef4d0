"""Which day a document posts on, given the states of the monthly periods; pure, no ORM.

The accounting rule: a document posts on its own date when its month is open. When that month is
closed (or being closed) it posts on the first day of the earliest open month after it, keeping
its document date. Closing a month closes the books up to it, so a month that has no period row
yet but lies before a closed (or closing) month counts as closed too; any other missing month is
open and will be created when the posting needs it.
"""

import calendar
from collections.abc import Mapping
from datetime import date

from core.dates import add_months, month_start

OPEN = "open"  # ledger.models.PeriodState.OPEN, kept literal so this module imports no models


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def landing_month(document_date: date, states: Mapping[date, str]) -> date:
    """The first day of the month the document posts into (see the module docstring)."""
    last_shut = max((month for month, state in states.items() if state != OPEN), default=None)
    month = month_start(document_date)
    while True:
        state = states.get(month)
        if state is None and (last_shut is None or month > last_shut):
            return month
        if state == OPEN:
            return month
        month = add_months(month, 1)


def posting_date(document_date: date, states: Mapping[date, str]) -> date:
    """The document's own date when its month takes it, else the first day of the landing month."""
    month = landing_month(document_date, states)
    return document_date if month == month_start(document_date) else month
