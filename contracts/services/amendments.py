"""Amendments: a quote of kind amendment against an active contract, and what accepting it does.

`start_amendment` makes the amendment quote: the contract's recurring lines in force on the
effective date, with their frozen price snapshots (`quotes.services.prefilled`), from that date to
the contract's end (co-terminated). The rep then changes quantities, adds or removes products in
the ordinary quote builder; the quote goes through approval, sending and the customer's link.

`amendment_changes` compares the quote's lines with the contract's lines in force on the
effective date and prices the rest of the term of each side (`contracts.term_pricing`), every
amount with its explanation. `apply_amendment` (called by `q2c.flows.accept_quote_flow`) ends the
changed and removed lines the day before the effective date, starts new lines on it, never
touching a line otherwise, and updates the contract's totals and history.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from contracts.models import Amendment, Contract, ContractLine, ContractState, LineStatus
from contracts.selectors import (
    contract_for_update,
    contracts_visible_to,
    lines_in_force,
    signer_contact,
)
from contracts.services._common import note_on, proration_convention, require
from contracts.term_pricing import PERIOD_MONTHS, RestOfTerm, rest_of_term
from core.actors import as_actor
from core.dates import business_date
from core.money import round_money
from quotes.models import OPEN_STATES, QuoteKind
from quotes.services.prefilled import PrefilledLine, create_prefilled_quote

ONE_DAY = timedelta(days=1)
AMEND_PERMISSION = "contracts.amend_contract"
QUOTE_VALIDITY_DAYS = 30


def months_between(start: date, end_exclusive: date) -> int:
    """Whole months from `start` to `end_exclusive`, a part month counted whole (at least 1)."""
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    if end_exclusive.day > start.day:
        months += 1
    return max(months, 1)


def prefilled_lines(lines) -> list[PrefilledLine]:
    """Contract lines as quote lines to copy, options kept under their configured parent."""
    lines = list(lines)
    by_quote_line = {line.quote_line_id: line for line in lines if line.quote_line_id}
    out = []
    for line in lines:
        parent_quote_line = line.quote_line.parent_id if line.quote_line_id else None
        parent = by_quote_line.get(parent_quote_line)
        out.append(PrefilledLine(
            key=str(line.pk), product=line.product, quantity=line.quantity,
            price_snapshot=line.price_snapshot, discount_percent=line.discount_percent,
            included=line.included, description=line.description,
            parent_key=str(parent.pk) if parent is not None else None))
    return out


def _check_effective(contract: Contract, effective_on: date | None) -> None:
    if contract.state != ContractState.ACTIVE:
        raise ValidationError(f"Only an active contract can be amended; this one is "
                              f"{contract.get_state_display().lower()}.")
    if effective_on is None:
        raise ValidationError({"effective_on": "Choose the date the change takes effect."})
    if not contract.start_on < effective_on <= contract.end_on:
        raise ValidationError({"effective_on": (
            f"The effective date is after the contract's start ({contract.start_on:%Y-%m-%d}) "
            f"and on or before its end ({contract.end_on:%Y-%m-%d}).")})


@transaction.atomic
def start_amendment(*, contract, by, effective_on: date | None,
                    on: date | None = None) -> Amendment:
    """The amendment quote (a draft for the contract's owner) prefilled from the lines in
    force on the effective date, co-terminated with the contract."""
    actor = require(by, AMEND_PERMISSION, "You are not allowed to amend contracts.")
    if not contracts_visible_to(actor.user).filter(pk=contract.pk).exists():
        raise ValidationError("You cannot amend this contract.")
    contract = contract_for_update(pk=contract.pk)
    _check_effective(contract, effective_on)
    if open_amendment(contract) is not None:
        raise ValidationError("This contract already has an amendment in progress; finish or "
                              "let it expire first.")
    lines = [line for line in lines_in_force(contract, effective_on).select_related(
        "quote_line") if line.is_recurring]
    if not lines:
        raise ValidationError({"effective_on": "No subscription runs on that date."})
    today = business_date(on)
    end = contract.end_on
    quote = create_prefilled_quote(
        by=actor, kind=QuoteKind.AMENDMENT, account=contract.account, owner=contract.owner,
        currency=contract.currency, start_on=effective_on,
        term_months=months_between(effective_on, end + ONE_DAY), lines=prefilled_lines(lines),
        payment_terms=contract.payment_terms, contact=signer_contact(contract),
        expires_on=min(today + timedelta(days=QUOTE_VALIDITY_DAYS), end),
        customer_notes=(f"Amendment of contract {contract.number} from "
                        f"{effective_on:%d %B %Y} to its end on {end:%d %B %Y}. These lines are "
                        f"the contract as it will be from that date; changes are charged or "
                        f"credited for the rest of the term, prorated by day."), on=today)
    amendment = Amendment.objects.create(contract=contract, quote=quote,
                                         effective_on=effective_on, created_by=actor.user)
    note_on(contract, actor, today, transition="start_amendment",
            note=f"Amendment quote {quote} from {effective_on:%Y-%m-%d}")
    return amendment


def open_amendment(contract: Contract) -> Amendment | None:
    """The amendment still being negotiated (its quote open), if any."""
    return (contract.amendments.filter(applied_on__isnull=True, quote__state__in=OPEN_STATES)
            .select_related("quote").first())


@dataclass(frozen=True)
class Change:
    """One product's change from the effective date: what ends, what starts, and the rest of
    the term each side is worth (explained)."""

    product: object
    billing_period: str
    old_line: ContractLine | None
    new_line: object | None  # the quote line
    credit: RestOfTerm | None  # the old line's rest of term, no longer charged
    charge: RestOfTerm | None  # the new line's rest of term
    one_time: Decimal | None = None  # a new one-time item, charged in full

    @property
    def kind(self) -> str:
        if self.old_line is None:
            return "added"
        if self.new_line is None:
            return "removed"
        return "changed"

    @property
    def quantity_before(self) -> Decimal:
        return self.old_line.quantity if self.old_line else Decimal(0)

    @property
    def quantity_after(self) -> Decimal:
        return self.new_line.quantity if self.new_line else Decimal(0)

    @property
    def net(self) -> Decimal:
        charge = self.charge.amount if self.charge else self.one_time or Decimal(0)
        return charge - (self.credit.amount if self.credit else Decimal(0))


def _same(old: ContractLine, new) -> bool:
    return (old.quantity == new.quantity and old.discount_percent == new.discount_percent
            and old.price_snapshot == new.price_snapshot
            and old.amount_per_period == new.amount_per_period)


def _rest(contract: Contract, amount: Decimal, billing_period: str, effective_on: date):
    return rest_of_term(amount, contract.currency, period_months=PERIOD_MONTHS[billing_period],
                        anchor=contract.start_on, term_end=contract.end_on,
                        effective_on=effective_on, convention=proration_convention())


def amendment_changes(amendment: Amendment, *, old_lines=None) -> list[Change]:
    """What accepting the amendment changes, matched by product and billing period (in
    position order); lines that are the same on both sides do not change."""
    contract, effective = amendment.contract, amendment.effective_on
    if old_lines is None:
        old_lines = lines_in_force(contract, effective)
    old_by_key = defaultdict(list)
    for line in old_lines:
        if line.is_recurring:
            old_by_key[(line.product_id, line.billing_period)].append(line)
    changes = []
    for new in amendment.quote.lines.select_related("product").order_by("position", "pk"):
        if not new.is_recurring:
            changes.append(Change(new.product, new.billing_period, None, new, None, None,
                                  one_time=new.net_amount))
            continue
        olds = old_by_key.get((new.product_id, new.billing_period))
        old = olds.pop(0) if olds else None
        if old is not None and _same(old, new):
            continue
        changes.append(Change(
            new.product, new.billing_period, old, new,
            _rest(contract, old.amount_per_period, old.billing_period, effective) if old
            else None,
            _rest(contract, new.amount_per_period, new.billing_period, effective)))
    for olds in old_by_key.values():
        for old in olds:
            changes.append(Change(old.product, old.billing_period, old, None,
                                  _rest(contract, old.amount_per_period, old.billing_period,
                                        effective), None))
    return changes


def changes_total(changes: list[Change], currency: str) -> Decimal:
    return round_money(sum((change.net for change in changes), Decimal(0)), currency)


def _stored(change: Change) -> dict:
    return {
        "product": change.product.name, "kind": change.kind,
        "billing_period": change.billing_period,
        "quantity_before": str(change.quantity_before.normalize()),
        "quantity_after": str(change.quantity_after.normalize()),
        "credit": str(change.credit.amount) if change.credit else "",
        "credit_explanation": change.credit.explanation if change.credit else "",
        "charge": str(change.charge.amount if change.charge else change.one_time or ""),
        "charge_explanation": (change.charge.explanation if change.charge
                               else "one-time, charged in full" if change.one_time is not None
                               else ""),
        "net": str(change.net),
    }


def _new_line(contract: Contract, change: Change, position: int, amendment: Amendment,
              today: date) -> ContractLine:
    quote_line, effective = change.new_line, amendment.effective_on
    recurring = change.charge is not None
    net = change.charge.amount if recurring else quote_line.net_amount
    list_amount = (_rest(contract, quote_line.list_per_period, quote_line.billing_period,
                         effective).amount if recurring else quote_line.list_amount)
    return ContractLine(
        contract=contract, position=position, quote_line=quote_line,
        product=quote_line.product, description=quote_line.description,
        quantity=quote_line.quantity, billing_period=quote_line.billing_period,
        price_snapshot=quote_line.price_snapshot,
        discount_percent=quote_line.discount_percent, included=quote_line.included,
        list_unit_price=quote_line.list_unit_price,
        amount_per_period=quote_line.amount_per_period, list_amount=list_amount,
        discount_amount=list_amount - net, net_amount=net, start_on=effective,
        end_on=contract.end_on if recurring else effective,
        status=LineStatus.ACTIVE if effective <= today else LineStatus.PENDING,
        replaces=change.old_line, amendment=amendment)


def recurring_monthly(lines, currency: str) -> Decimal:
    """The contract's monthly recurring figure: each running line's net per period per month."""
    total = sum((line.amount_per_period / PERIOD_MONTHS[line.billing_period]
                 for line in lines if line.is_recurring), Decimal(0))
    return round_money(total, currency)


@transaction.atomic
def apply_amendment(*, quote, by, on: date | None = None) -> tuple[Contract, list[ContractLine]]:
    """The accepted amendment quote amends its contract: changed and removed lines end the day
    before the effective date, new lines start on it; returns the contract and its new lines."""
    today = business_date(on)
    amendment = Amendment.objects.select_for_update().get(quote_id=quote.pk)
    contract = contract_for_update(pk=amendment.contract_id)
    amendment.contract = contract
    if amendment.is_applied:
        return contract, list(amendment.new_lines.order_by("position"))
    _check_effective(contract, amendment.effective_on)
    effective = amendment.effective_on
    changes = amendment_changes(amendment)
    ending = [change.old_line for change in changes if change.old_line is not None]
    late = [line for line in ending if line.start_on >= effective]
    if late:
        raise ValidationError(f"A line of this contract starts on {late[0].start_on:%Y-%m-%d}; "
                              f"an amendment from {effective:%Y-%m-%d} cannot end it.")
    # Ending a line is the one change a line takes: its end date and status, nothing else.
    ContractLine.objects.filter(pk__in=[line.pk for line in ending]).update(
        end_on=effective - ONE_DAY, status=LineStatus.ENDED)
    last = contract.lines.aggregate(last=Max("position"))["last"] or 0
    new_lines = [_new_line(contract, change, last + n, amendment, today)
                 for n, change in enumerate(
                     (c for c in changes if c.new_line is not None), start=1)]
    ContractLine.objects.bulk_create(new_lines)
    total = changes_total(changes, contract.currency)
    amendment.applied_on, amendment.prorated_total = today, total
    amendment.proration = [_stored(change) for change in changes]
    amendment.save(update_fields=["applied_on", "prorated_total", "proration"])
    contract.total_contract_value += total
    contract.recurring_monthly = recurring_monthly(lines_in_force(contract, effective),
                                                   contract.currency)
    contract.save(update_fields=["total_contract_value", "recurring_monthly", "updated_at"])
    summary = "; ".join(f"{c.product.name} {c.kind} ({c.quantity_before.normalize()} → "
                        f"{c.quantity_after.normalize()})" for c in changes) or "no line changed"
    note_on(contract, as_actor(by), today, transition="amend",
            note=f"Amended from {effective:%Y-%m-%d} by quote {quote}: {summary}; rest of term "
                 f"{total} {contract.currency}")
    return contract, new_lines
