"""Terminating an active contract from an effective date, and what that does to its charges.

The effective date is the first day without service: every line still running ends the day
before it (`ContractLine.end`), and its charge schedule ends there too
(`contracts.services.schedules.end_lines`): a period no invoice holds yet is charged only up to
the last day, and a period already billed in advance gets a credit row for the days after it,
due on the effective date. The termination's credit is the sum of those rows, so the credit the
contract page shows is the credit the next invoice run bills.

A termination may take an effective time too, as an amendment does (`Termination.moment_in`):
a line priced by the second then stops at that moment of the effective date in its own time
zone (its last day is the effective date, `ends_at` the moment), and the row holding the moment
is split by seconds (`catalog.charge_schedule.end_early(at=)`), so the credit for the rest of a
billed period counts the seconds not served. Lines priced by day ignore the time.
"""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.charge_schedule import ChargeKind
from contracts.models import (
    Contract,
    ContractState,
    LineStatus,
    ScheduleChange,
    ScheduleChangeKind,
    ScheduledCharge,
    Termination,
)
from contracts.selectors import contract_for_update, contracts_visible_to
from contracts.services._common import end_line_states, stops_of
from contracts.services.schedules import end_lines
from core.actors import require
from core.events import record_event
from core.formatting import format_money
from core.money import round_money
from core.transitions import run_transition

ONE_DAY = timedelta(days=1)
TERMINATE_PERMISSION = "contracts.terminate_contract"


def _running(contract: Contract, effective_on: date | None, *, lock: bool):
    lines = contract.lines.select_related("product", "contract").exclude(
        status=LineStatus.ENDED).filter(end_on__gte=effective_on or contract.start_on)
    return list((lines.select_for_update(of=("self",)) if lock else lines).order_by("pk"))


def credit_total(rows, currency: str) -> Decimal:
    """What the rows credit, as a positive amount."""
    return round_money(-sum((r.amount for r in rows if r.kind == ChargeKind.CREDIT), Decimal(0)),
                       currency)


def _at(effective_on: date | None, effective_time: time | None) -> Termination:
    """The termination's date and time as its moment reads them (unsaved); midnight is the
    start of the day: no time."""
    return Termination(effective_on=effective_on,
                       effective_time=None if effective_time == time(0) else effective_time)


def _ending(moment: Termination, lines, change: ScheduleChange | None):
    return end_lines(lines, last_day=moment.effective_on - ONE_DAY, change=change,
                     stops_at=stops_of(moment, lines))


def termination_preview(contract: Contract, effective_on: date,
                        effective_time: time | None = None) -> list[ScheduledCharge]:
    """The rows terminating from `effective_on` (at `effective_time` for lines priced by the
    second) would add (unsaved): credits for days (seconds) already billed, and shorter
    charges for the period that holds the day."""
    return _ending(_at(effective_on, effective_time),
                   _running(contract, effective_on, lock=False), None).added


def _date_errors(contract: Contract, effective_on: date | None, lines) -> dict:
    if contract.state != ContractState.ACTIVE:
        raise ValidationError(f"Only an active contract can be terminated; this one is "
                              f"{contract.get_state_display().lower()}.")
    if effective_on is None:
        return {"effective_on": "Choose the first day without service."}
    if not contract.start_on < effective_on <= contract.end_on:
        return {"effective_on": (f"The effective date is after the start "
                                 f"({contract.start_on:%Y-%m-%d}) and on or before the end "
                                 f"({contract.end_on:%Y-%m-%d}).")}
    if any(line.start_on >= effective_on for line in lines):
        first = min(line.start_on for line in lines if line.start_on >= effective_on)
        return {"effective_on": f"A line starts on {first:%Y-%m-%d}; terminate from a later "
                                f"date."}
    return {}


def check_termination_date(contract: Contract, effective_on: date | None) -> None:
    """The date checks `terminate_contract` runs, for a preview made before any reason."""
    errors = _date_errors(contract, effective_on, _running(contract, effective_on, lock=False))
    if errors:
        raise ValidationError(errors)


def _check(contract: Contract, effective_on: date | None, reason: str, lines) -> None:
    errors = _date_errors(contract, effective_on, lines)
    if not reason.strip():
        errors["reason"] = "Say why the contract ends early."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def terminate_contract(*, contract, by, effective_on: date | None, reason: str,
                       effective_time: time | None = None, on: date | None = None) -> Termination:
    """End the contract from `effective_on`: its running lines and their schedules end the day
    before (lines priced by the second at `effective_time` of it, when given); the days
    already billed after it are credited (rows billing issues)."""
    actor = require(by, TERMINATE_PERMISSION, "You are not allowed to terminate contracts.")
    if not contracts_visible_to(actor.user).filter(pk=contract.pk).exists():
        raise ValidationError("You cannot terminate this contract.")
    contract = contract_for_update(pk=contract.pk)
    running = _running(contract, effective_on, lock=True)
    _check(contract, effective_on, reason, running)
    termination = Termination.objects.create(
        contract=contract, effective_on=effective_on,
        effective_time=_at(effective_on, effective_time).effective_time, reason=reason.strip(),
        currency=contract.currency, credit_amount=Decimal(0), created_by=actor.user)
    change = ScheduleChange.objects.create(contract=contract, kind=ScheduleChangeKind.TERMINATION,
                                           effective_on=effective_on, termination=termination)
    ending = _ending(termination, running, change)
    termination.credit_amount = credit_total(ending.added, contract.currency)
    # the contract's value is what its schedule still charges (saved with the transition)
    contract.total_contract_value -= round_money(
        ending.removed - sum((r.amount for r in ending.added), Decimal(0)), contract.currency)
    termination.save(update_fields=["credit_amount"])
    when = termination.effective_from
    stops = stops_of(termination, running)
    end_line_states(termination, running, stops=stops, by=actor, on=on,
                    note=f"Contract terminated from {when}")
    # the contract's service ends with the last day any line serves (part of it)
    run_transition(contract, "terminate", by=actor, on=on,
                   day=effective_on if stops else effective_on - ONE_DAY,
                   note=f"From {when}: {reason.strip()}; credit "
                        f"{format_money(termination.credit_amount, contract.currency)}")
    record_event("contract.terminated", contract, termination=termination.pk,
                 effective_on=effective_on.isoformat())
    return termination
