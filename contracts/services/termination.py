"""Terminating an active contract from an effective date, and the credit that implies.

The effective date is the first day without service: every line still running ends the day
before it (its end date and status are the truth billing reads). Billing is in advance, so the
period that holds the effective date was billed whole; the part of it from the effective date on
is credited (`contracts.term_pricing.split_period`, explained per line). Later periods were never
billed and need no credit. The credit is stored on the `Termination` for billing to issue.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.proration import Proration, billing_periods
from contracts.models import Contract, ContractLine, ContractState, LineStatus, Termination
from contracts.selectors import contract_for_update, contracts_visible_to
from contracts.services._common import proration_convention, require
from contracts.term_pricing import PERIOD_MONTHS, split_period
from core.money import round_money
from core.transitions import run_transition

ONE_DAY = timedelta(days=1)
TERMINATE_PERMISSION = "contracts.terminate_contract"


@dataclass(frozen=True)
class LineCredit:
    line: ContractLine
    credit: Proration

    @property
    def amount(self) -> Decimal:
        return self.credit.amount


def _period_holding(contract: Contract, line: ContractLine, day: date) -> tuple[date, date]:
    """The billing period (inclusive ends) of the line that holds `day`."""
    convention = proration_convention()
    for piece in billing_periods(contract.start_on,
                                 convention.written_end(contract.end_on + ONE_DAY),
                                 PERIOD_MONTHS[line.billing_period],
                                 bill_day=contract.start_on.day, convention=convention):
        last = convention.exclusive_end(piece.end) - ONE_DAY
        if piece.start <= day <= last:
            return piece.start, last
    raise ValueError(f"{day} is outside the term of {contract}")


def termination_credits(contract: Contract, effective_on: date, lines) -> list[LineCredit]:
    """Per running recurring line: the unused part of the billed period from `effective_on`."""
    credits = []
    for line in lines:
        if not line.is_recurring or line.end_on < effective_on or not line.amount_per_period:
            continue
        start, last = _period_holding(contract, line, effective_on)
        start = max(start, line.start_on)
        if effective_on == start:
            continue  # the period holding the day starts on it: not billed yet
        split = split_period(line.amount_per_period, contract.currency, period_start=start,
                             period_end=last, at=effective_on,
                             convention=proration_convention())
        credits.append(LineCredit(line, split.after))
    return credits


def _check(contract: Contract, effective_on: date | None, reason: str, lines) -> None:
    if contract.state != ContractState.ACTIVE:
        raise ValidationError(f"Only an active contract can be terminated; this one is "
                              f"{contract.get_state_display().lower()}.")
    errors = {}
    if effective_on is None:
        errors["effective_on"] = "Choose the first day without service."
    elif not contract.start_on < effective_on <= contract.end_on:
        errors["effective_on"] = (f"The effective date is after the start "
                                  f"({contract.start_on:%Y-%m-%d}) and on or before the end "
                                  f"({contract.end_on:%Y-%m-%d}).")
    elif any(line.start_on >= effective_on for line in lines):
        first = min(line.start_on for line in lines if line.start_on >= effective_on)
        errors["effective_on"] = (f"A line starts on {first:%Y-%m-%d}; terminate from a later "
                                  f"date.")
    if not reason.strip():
        errors["reason"] = "Say why the contract ends early."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def terminate_contract(*, contract, by, effective_on: date | None, reason: str,
                       on: date | None = None) -> Termination:
    """End the contract from `effective_on`: its running lines end the day before, and the
    unused part of each billed period is credited (stored, explained)."""
    actor = require(by, TERMINATE_PERMISSION, "You are not allowed to terminate contracts.")
    if not contracts_visible_to(actor.user).filter(pk=contract.pk).exists():
        raise ValidationError("You cannot terminate this contract.")
    contract = contract_for_update(pk=contract.pk)
    running = list(contract.lines.select_for_update().select_related("product")
                   .exclude(status=LineStatus.ENDED)
                   .filter(end_on__gte=effective_on or contract.start_on).order_by("pk"))
    _check(contract, effective_on, reason, running)
    credits = termination_credits(contract, effective_on, running)
    total = round_money(sum((c.amount for c in credits), Decimal(0)), contract.currency)
    last_day = effective_on - ONE_DAY
    ContractLine.objects.filter(pk__in=[line.pk for line in running]).update(
        end_on=last_day, status=LineStatus.ENDED)
    run_transition(contract, "terminate", by=actor, on=on, day=last_day,
                   note=f"From {effective_on:%Y-%m-%d}: {reason.strip()}; credit {total} "
                        f"{contract.currency}")
    return Termination.objects.create(
        contract=contract, effective_on=effective_on, reason=reason.strip(),
        currency=contract.currency, credit_amount=total, created_by=actor.user,
        credit_lines=[{"line": c.line.pk, "product": c.line.product.name,
                       "amount": str(c.amount), "explanation": c.credit.explanation}
                      for c in credits])
