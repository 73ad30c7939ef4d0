"""The period close: a checklist that must be clear, then the ledger closes the month.

Closing goes through the ledger's own period services (open → closing → closed), which check
`ledger.start_close` / `ledger.close_period` and record the transitions; reopening is the
ledger's (`ledger:reopen_period`, with the permission and a reason).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import as_actor
from core.dates import month_start
from ledger import services as ledger
from ledger.models import AccountingPeriod, PeriodState
from revrec.checklist import close_checklist


@transaction.atomic
def close_period(*, month: date, by, note: str = "", on: date | None = None) -> AccountingPeriod:
    """Close the month in the ledger once every item of the checklist is clear; refused with
    the items still open otherwise."""
    actor = as_actor(by)
    month = month_start(month)
    period = ledger.ensure_period(month)
    period = AccountingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.state == PeriodState.CLOSED:
        raise ValidationError({"month": f"{period} is closed already."})
    blocking = [check for check in close_checklist(month) if not check.done]
    if blocking:
        raise ValidationError({"month": [f"{check.label}: {check.detail}"
                                         for check in blocking]})
    if period.state == PeriodState.OPEN:
        period = ledger.start_close(period, by=actor, note="Close checklist clear", on=on)
    return ledger.close_period(period, by=actor, note=note or "Close checklist clear", on=on)
