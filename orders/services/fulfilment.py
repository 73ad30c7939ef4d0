"""Fulfilment: lines provisioned or delivered, all or part, on a date; closing a fulfilled
order. A line's `fulfilled_on` is set on the day its whole quantity is fulfilled: billing and
point-in-time revenue recognition start from that day."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core.actors import as_actor
from core.dates import business_date
from core.formatting import format_quantity
from core.transitions import run_transition
from orders.models import Fulfilment, OrderLine, OrderState
from orders.selectors import lines_for_update, order_for_update

FULFILLABLE = {OrderState.APPROVED, OrderState.PARTIALLY_FULFILLED}


def ensure_fulfillable(order) -> None:
    """Only an approved (or partly fulfilled) order takes fulfilment."""
    if order.state not in FULFILLABLE:
        raise ValidationError(f"Only an approved order can be fulfilled; {order} is "
                              f"{order.get_state_display().lower()}.")


def line_field(line: OrderLine) -> str:
    """The form field (and error key) of one line's quantity."""
    return f"line_{line.pk}"


def _quantity(value, line: OrderLine, errors: dict) -> Decimal:
    try:
        quantity = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[line_field(line)] = "Enter a quantity, e.g. 5."
        return Decimal(0)
    if quantity < 0 or not quantity.is_finite():
        errors[line_field(line)] = "A quantity cannot be negative."
    elif quantity > line.open_quantity:
        errors[line_field(line)] = (f"Only {format_quantity(line.open_quantity)} of line "
                                    f"#{line.position} are left to fulfil.")
    return quantity


def _planned(lines: list[OrderLine], quantities) -> dict[int, Decimal]:
    """Quantity to fulfil per line pk: everything open when `quantities` is None."""
    if quantities is None:
        return {line.pk: line.open_quantity for line in lines}
    by_pk = {line.pk: line for line in lines}
    unknown = set(quantities) - set(by_pk)
    if unknown:
        raise ValidationError({"lines": "Those lines are not on this order."})
    errors: dict[str, str] = {}
    planned = {pk: _quantity(value, by_pk[pk], errors) for pk, value in quantities.items()}
    if errors:
        raise ValidationError(errors)
    if not any(planned.values()):
        raise ValidationError({"lines": "Enter a quantity for at least one line."})
    return planned


@transaction.atomic
def fulfil_lines(*, order, by, quantities: Mapping[int, Decimal] | None = None,
                 on: date | None = None, note: str = ""):
    """Record fulfilment of an approved order's lines on `on` (default today): `quantities`
    maps line pk to the quantity delivered now; None fulfils everything still open. The order
    becomes fulfilled when every line is, else partially fulfilled."""
    actor = as_actor(by)
    if not actor.has_perm("orders.fulfil_order"):
        raise PermissionDenied("You are not allowed to fulfil orders.")
    day = business_date(on)
    if day > clock.today():
        raise ValidationError({"on": "A fulfilment date cannot be in the future."})
    order = order_for_update(pk=order.pk)
    ensure_fulfillable(order)
    lines = lines_for_update(order)
    planned = _planned(lines, quantities)
    fulfilments = []
    for line in lines:
        quantity = planned.get(line.pk, Decimal(0))
        if quantity:
            line.fulfilled_quantity += quantity
            fulfilments.append(Fulfilment(line=line, quantity=quantity, fulfilled_on=day,
                                          by=actor.user, by_name=actor.label, note=note))
        if line.fulfilled_on is None and line.fulfilled_quantity == line.quantity:
            line.fulfilled_on = day
    OrderLine.objects.bulk_update(lines, ["fulfilled_quantity", "fulfilled_on"])
    Fulfilment.objects.bulk_create(fulfilments)
    done = ", ".join(f"#{f.line.position} × {format_quantity(f.quantity)}" for f in fulfilments)
    summary = f"Fulfilled on {day:%Y-%m-%d}: {done or 'no quantity to deliver'}." + (
        f" {note}" if note else "")
    if all(line.fulfilled_on for line in lines):
        return run_transition(order, "fulfil", by=actor, on=day, note=summary, day=day)
    return run_transition(order, "fulfil_partially", by=actor, on=day, note=summary)


@transaction.atomic
def close_order(*, order, by, on: date | None = None, note: str = ""):
    """Close a fulfilled order: nothing more happens on it."""
    order = order_for_update(pk=order.pk)
    return run_transition(order, "close", by=by, on=on, note=note)
