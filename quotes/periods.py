"""Whether a deal's date lies in an accounting period that is closed (or being closed).

A quote that starts, a contract that activates or an amendment that takes effect in such a month
would put its first charges and its revenue in books that are shut, so quotes and contracts
refuse the date at its field, naming the month, the way payments refuse a received date. The
rule for which months are shut is the ledger's (`ledger.period_rules.landing_month`): a month
before a closed one counts as closed even without a period row.
"""

from collections.abc import Iterable
from datetime import date

from core.dates import month_start
from ledger.models import AccountingPeriod, PeriodState
from ledger.period_rules import landing_month


def shut_months(days: Iterable[date]) -> dict[date, str]:
    """The first day of each given day's month that is shut, with what it is ("closed" or
    "being closed"); one query for any number of days."""
    months = {month_start(day) for day in days}
    if not months:
        return {}
    states = dict(AccountingPeriod.objects.filter(start_on__gte=min(months))
                  .values_list("start_on", "state"))
    return {month: ("being closed" if states.get(month) == PeriodState.CLOSING else "closed")
            for month in months if landing_month(month, states) != month}


def closed_period_error(day: date | None, *, what: str) -> str | None:
    """Why `what` cannot be dated `day` (its month is shut), or None when the month is open."""
    if day is None:
        return None
    shut = shut_months([day]).get(month_start(day))
    if shut is None:
        return None
    return (f"{day:%B %Y} is {shut} in the books: {what} {day.isoformat()} would fall in a "
            f"closed accounting period. Choose a date in an open period, or ask an accountant "
            f"to reopen {day:%B %Y}.")
