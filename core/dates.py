"""The business date services act on (`on=`).

Imports, tests and the demo history pass a date in the past; everything else means today.
"""

from datetime import date

from core import clock


def business_date(on: date | None = None) -> date:
    return on if on is not None else clock.today()


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """Same day of month `months` later, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
