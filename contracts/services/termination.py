"""Terminating an active contract from an effective date, and what that does to its charges.

The effective date is the first day without service: every line still running ends the day
before it (`ContractLine.end`), and its charge schedule ends there too
(`contracts.services.schedules.end_lines`): a period no invoice holds yet is charged only up to
the last day, and a period already billed in advance gets a credit row for the days after it,
due on the effective date. The termination's credit is the sum of those rows, so the credit the
contract page shows is the credit the next invoice run bills.
"""

from datetime import date, timedelta
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
from contracts.services.schedules import end_lines
from core.actors import require
from core.events import record_event
from core.formatting import format_money
from core.money import round_money
from core.transitions import run_bulk_transition, run_transition

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


def termination_preview(contract: Contract, effective_on: date) -> list[ScheduledCharge]:
    """The rows terminating from `effective_on` would add (unsaved): credits for days already
    billed, and shorter charges for the period that holds the day."""
    return end_lines(_running(contract, effective_on, lock=False),
                     last_day=effective_on - ONE_DAY, change=None).added


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
                       on: date | None = None) -> Termination:
    """End the contract from `effective_on`: its running lines and their schedules end the day
    before; the days already billed after it are credited (rows billing issues)."""
    actor = require(by, TERMINATE_PERMISSION, "You are not allowed to terminate contracts.")
    if not contracts_visible_to(actor.user).filter(pk=contract.pk).exists():
        raise ValidationError("You cannot terminate this contract.")
    contract = contract_for_update(pk=contract.pk)
    running = _running(contract, effective_on, lock=True)
    _check(contract, effective_on, reason, running)
    last_day = effective_on - ONE_DAY
    termination = Termination.objects.create(
        contract=contract, effective_on=effective_on, reason=reason.strip(),
        currency=contract.currency, credit_amount=Decimal(0), created_by=actor.user)
    change = ScheduleChange.objects.create(contract=contract, kind=ScheduleChangeKind.TERMINATION,
                                           effective_on=effective_on, termination=termination)
    ending = end_lines(running, last_day=last_day, change=change)
    termination.credit_amount = credit_total(ending.added, contract.currency)
    # the contract's value is what its schedule still charges (saved with the transition)
    contract.total_contract_value -= round_money(
        ending.removed - sum((r.amount for r in ending.added), Decimal(0)), contract.currency)
    termination.save(update_fields=["credit_amount"])
    run_bulk_transition(running, "end", by=actor, on=on, update_fields=["end_on", "ends_at"],
                        note=f"Contract terminated from {effective_on:%Y-%m-%d}",
                        last_day=last_day)
    run_transition(contract, "terminate", by=actor, on=on, day=last_day,
                   note=f"From {effective_on:%Y-%m-%d}: {reason.strip()}; credit "
                        f"{format_money(termination.credit_amount, contract.currency)}")
    record_event("contract.terminated", contract, termination=termination.pk,
                 effective_on=effective_on.isoformat())
    return termination
