"""Creating an order from a contract, submitting it through the credit check, and finance's
answer to a hold (release or cancel)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalog.pricing import BillingPeriod
from contracts.models import ContractState, LineStatus
from contracts.selectors import contract_for_update
from core import clock
from core.actors import as_actor
from core.dates import business_date
from core.events import record_event
from core.formatting import format_money
from core.numbering import next_number
from core.transitions import history_row, run_transition
from customers.models import Account
from ledger.selectors import receivable_balance
from orders.credit import ZERO, CreditSnapshot, LineValue, credit_decision, first_year_value
from orders.models import LineKind, Order, OrderKind, OrderLine, OrderState
from orders.selectors import order_for_update, ordered_contract_line_ids

CREATE_PERMISSION = "orders.add_order"


def to_provision(contract_line) -> Decimal:
    """What an order must deliver for a contract line: all of it, or, for a line an amendment
    started in place of one of the same product, only the increase (the rest is running)."""
    replaced = contract_line.replaces
    if replaced is not None and replaced.product_id == contract_line.product_id:
        return contract_line.quantity - replaced.quantity
    return contract_line.quantity


def lines_to_provision(contract_lines) -> list:
    """The lines with something to deliver; a reduction has nothing, and bills from its start."""
    return [line for line in contract_lines if to_provision(line) > 0]


def _line_value(contract_line, quantity: Decimal, currency: str):
    period = BillingPeriod(contract_line.billing_period)
    share = quantity / contract_line.quantity if contract_line.quantity else Decimal(1)
    return first_year_value([LineValue(period.months, contract_line.amount_per_period * share,
                                       contract_line.net_amount * share)], currency)


def _chosen_lines(contract, lines) -> list:
    all_lines = list(contract.lines.select_related("product", "replaces")
                     .order_by("position", "pk"))
    if lines is None:  # every line still to run; ended lines were delivered or replaced
        chosen = [line for line in all_lines if line.status != LineStatus.ENDED]
    else:
        wanted = {line.pk for line in lines}
        foreign = wanted - {line.pk for line in all_lines}
        if foreign:
            raise ValidationError({"lines": f"Only lines of contract {contract} can be "
                                            f"ordered from it."})
        chosen = [line for line in all_lines if line.pk in wanted]
    chosen = lines_to_provision(chosen)
    if not chosen:
        raise ValidationError({"lines": "Choose at least one contract line to order."})
    ordered = ordered_contract_line_ids(line.pk for line in chosen)
    if ordered:
        positions = ", ".join(f"#{line.position}" for line in chosen if line.pk in ordered)
        raise ValidationError({"lines": f"Contract {contract} lines {positions} are already "
                                        f"on an order."})
    return chosen


def _order_lines(order: Order, contract_lines) -> list[OrderLine]:
    return [OrderLine(
        order=order, position=position, contract_line=line, product=line.product,
        description=line.description or line.product.name,
        kind=LineKind.SUBSCRIPTION if line.is_recurring else LineKind.DELIVERY,
        quantity=to_provision(line),
        first_year_value=_line_value(line, to_provision(line), order.currency),
    ) for position, line in enumerate(contract_lines, start=1)]


@transaction.atomic
def create_order_from_contract(*, contract, lines=None, by, on: date | None = None) -> Order:
    """The order for a countersigned or active contract's lines (when `lines` is None, every
    line not ended), one order line each, submitted at once so it leaves approved or on credit
    hold. An order of lines an amendment started is of kind amendment, else new; a contract line
    already on an order that is not cancelled is refused."""
    actor = as_actor(by)
    if not actor.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("You are not allowed to create orders.")
    today = business_date(on)
    contract = contract_for_update(pk=contract.pk)  # one order per line even under races
    # An active contract is in force however it got there (imported, renewed by itself); a
    # signed one is ordered once countersigned.
    orderable = contract.state == ContractState.ACTIVE or (
        contract.state == ContractState.SIGNED and contract.is_countersigned)
    if not orderable:
        raise ValidationError(f"Contract {contract} is {contract.get_state_display().lower()}"
                              f"{'' if contract.is_countersigned else ', not countersigned'}: "
                              f"only a countersigned or active contract is ordered.")
    chosen = _chosen_lines(contract, lines)
    order = Order(number=f"O-{today.year}-{next_number(f'order-{today.year}'):05d}",
                  account_id=contract.account_id, contract=contract, currency=contract.currency,
                  kind=(OrderKind.AMENDMENT if any(line.amendment_id for line in chosen)
                        else OrderKind.NEW))
    order_lines = _order_lines(order, chosen)
    order.first_year_value = sum((line.first_year_value for line in order_lines), ZERO)
    order.save()
    OrderLine.objects.bulk_create(order_lines)
    _record_creation(order, actor, today)
    return submit_order(order=order, by=actor, on=today)


def _record_creation(order: Order, actor, today: date) -> None:
    history_row(order, "create", by=actor, source="", target=OrderState.DRAFT,
                note=f"From contract {order.contract}", on=today).save()


def _credit_snapshot(order: Order) -> CreditSnapshot:
    account = Account.objects.get(pk=order.account_id)
    balance = receivable_balance(account.pk)
    return CreditSnapshot(
        account_currency=account.currency, order_currency=order.currency,
        credit_limit=account.credit_limit.amount,
        open_receivable=balance.by_currency.get(account.currency, ZERO),
        order_value=order.first_year_value, is_overdue=account.is_overdue,
        overdue_since=account.overdue_since)


def _passed_note(snapshot: CreditSnapshot) -> str:
    if snapshot.credit_limit <= 0:
        return "Credit check passed: not overdue, no credit limit set."
    exposure = snapshot.open_receivable + snapshot.order_value
    currency = snapshot.account_currency
    return (f"Credit check passed: open receivable plus first-year value "
            f"{format_money(exposure, currency)} within the limit of "
            f"{format_money(snapshot.credit_limit, currency)}.")


@transaction.atomic
def submit_order(*, order, by, on: date | None = None) -> Order:
    """Submit a draft order and run the credit check on it: approved, or on credit hold with
    the reasons (overdue account, exposure over the limit, currency the limit cannot weigh)."""
    order = order_for_update(pk=order.pk)
    order = run_transition(order, "submit", by=by, on=on)
    snapshot = _credit_snapshot(order)
    decision = credit_decision(snapshot)
    order.credit_checked_at = clock.now()
    order.credit_open_receivable = snapshot.open_receivable
    order.credit_limit = snapshot.credit_limit
    if decision.approved:
        return run_transition(order, "pass_credit_check", by=by, on=on,
                              note=_passed_note(snapshot))
    order = run_transition(order, "hold", by=by, on=on, note=decision.reason,
                           reason=decision.reason)
    record_event("order.held", order, reason=decision.reason)
    return order


def _required_note(note: str, why: str) -> str:
    if not note.strip():
        raise ValidationError({"note": why})
    return note.strip()


@transaction.atomic
def release_order(*, order, by, note: str, on: date | None = None) -> Order:
    """Finance releases an order from credit hold to approved, saying why."""
    actor = as_actor(by)
    if not actor.has_perm("orders.release_order"):
        raise PermissionDenied("You are not allowed to release orders from credit hold.")
    note = _required_note(note, "Say why the order is released despite the hold.")
    order = order_for_update(pk=order.pk)
    return run_transition(order, "release", by=actor, on=on, note=note)


@transaction.atomic
def cancel_order(*, order, by, note: str, on: date | None = None) -> Order:
    """Cancel an order before anything is fulfilled, saying why."""
    actor = as_actor(by)
    if not actor.has_perm("orders.cancel_order"):
        raise PermissionDenied("You are not allowed to cancel orders.")
    note = _required_note(note, "Say why the order is cancelled.")
    order = order_for_update(pk=order.pk)
    return run_transition(order, "cancel", by=actor, on=on, note=note)
