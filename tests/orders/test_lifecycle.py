"""Every path of the order machine after the credit check, with its permissions: release and
cancel a hold, fulfil all or part with a date, close."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.actors import Actor
from core.models import TransitionLog
from orders import services
from orders.models import Fulfilment, OrderState
from tests.orders.factories import ON, order_for

pytestmark = pytest.mark.django_db
NOT_FINANCE = ["sales_rep", "sales_manager", "accountant", "catalog_admin"]


@pytest.fixture
def held(sales_rep, finance):
    return order_for(sales_rep, finance=finance, overdue=True)


@pytest.fixture
def approved(sales_rep, finance):
    return order_for(sales_rep, finance=finance, seat_lines=2)


def _lines(order):
    return list(order.lines.order_by("position"))


# Credit hold: release or cancel ---------------------------------------------------------------

def test_finance_releases_a_held_order_with_a_note(held, finance):
    order = services.release_order(order=held, by=finance, note="Paid by wire today", on=ON)
    assert order.state == OrderState.APPROVED
    assert order.credit_hold_reason.startswith("The account is flagged overdue")
    log = TransitionLog.objects.get(transition="release")
    assert (log.source, log.target, log.note, log.actor) == (
        "on_credit_hold", "approved", "Paid by wire today", finance)


def test_release_needs_a_note(held, finance):
    with pytest.raises(ValidationError) as error:
        services.release_order(order=held, by=finance, note="  ", on=ON)
    assert "note" in error.value.message_dict
    held.refresh_from_db()
    assert held.state == OrderState.ON_CREDIT_HOLD


@pytest.mark.parametrize("role", NOT_FINANCE)
def test_only_finance_releases(held, role_users, role):
    with pytest.raises(PermissionDenied):
        services.release_order(order=held, by=role_users[role], note="Please", on=ON)


def test_system_user_cannot_release(held):
    with pytest.raises(PermissionDenied):
        services.release_order(order=held, by=Actor.task("orders-test"), note="auto", on=ON)


def test_an_approved_order_cannot_be_released(approved, finance):
    with pytest.raises(ValidationError, match="cannot release while approved"):
        services.release_order(order=approved, by=finance, note="Again", on=ON)


def test_finance_cancels_a_held_order_with_a_note(held, finance):
    order = services.cancel_order(order=held, by=finance, note="Customer in liquidation", on=ON)
    assert order.state == OrderState.CANCELLED
    assert TransitionLog.objects.get(transition="cancel").note == "Customer in liquidation"


def test_an_approved_order_can_be_cancelled_before_fulfilment(approved, finance):
    assert services.cancel_order(order=approved, by=finance, note="Duplicate",
                                 on=ON).state == OrderState.CANCELLED


@pytest.mark.parametrize("role", NOT_FINANCE)
def test_only_finance_cancels(held, role_users, role):
    with pytest.raises(PermissionDenied):
        services.cancel_order(order=held, by=role_users[role], note="No", on=ON)


def test_a_partially_fulfilled_order_cannot_be_cancelled(approved, finance):
    first = _lines(approved)[0]
    services.fulfil_lines(order=approved, by=finance, quantities={first.pk: 1}, on=ON)
    with pytest.raises(ValidationError, match="cannot cancel while partially_fulfilled"):
        services.cancel_order(order=approved, by=finance, note="Too late", on=ON)


# Fulfilment --------------------------------------------------------------------------------

def test_fulfilling_everything_dates_every_line_and_the_order(approved, finance):
    # when
    order = services.fulfil_lines(order=approved, by=finance, on=date(2026, 11, 20))

    # then
    assert order.state == OrderState.FULFILLED and order.fulfilled_on == date(2026, 11, 20)
    lines = _lines(order)
    assert all(line.fulfilled_quantity == line.quantity for line in lines)
    assert {line.fulfilled_on for line in lines} == {date(2026, 11, 20)}
    assert Fulfilment.objects.count() == len(lines)
    assert {f.by for f in Fulfilment.objects.all()} == {finance}


def test_fulfilment_defaults_to_today(approved, finance):
    order = services.fulfil_lines(order=approved, by=finance, note="Tenant provisioned")
    assert order.fulfilled_on == date(2026, 11, 23)
    assert TransitionLog.objects.get(transition="fulfil").note == (
        "Fulfilled on 2026-11-23: #1 × 5, #2 × 6, #3 × 1. Tenant provisioned")
    assert set(Fulfilment.objects.values_list("note", flat=True)) == {"Tenant provisioned"}


def test_partial_fulfilment_then_the_rest(approved, finance):
    # given: seats #1 (5), seats #2 (6), onboarding (1)
    first, second, onboarding = _lines(approved)

    # when: two of the first seats on the 18th
    order = services.fulfil_lines(order=approved, by=finance, on=date(2026, 11, 18),
                                  quantities={first.pk: Decimal(2)})

    # then: the order is partly done, no line is fully fulfilled
    assert order.state == OrderState.PARTIALLY_FULFILLED and order.fulfilled_on is None
    first.refresh_from_db()
    assert first.fulfilled_quantity == 2 and first.fulfilled_on is None

    # when: the rest of the first line and all of onboarding on the 20th
    order = services.fulfil_lines(order=order, by=finance, on=date(2026, 11, 20),
                                  quantities={first.pk: first.open_quantity,
                                              onboarding.pk: 1})
    first.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_FULFILLED
    assert first.fulfilled_on == date(2026, 11, 20)  # the day it became full

    # when: everything still open on the 22nd
    order = services.fulfil_lines(order=order, by=finance, on=date(2026, 11, 22))

    # then
    second.refresh_from_db()
    assert order.state == OrderState.FULFILLED and order.fulfilled_on == date(2026, 11, 22)
    assert second.fulfilled_on == date(2026, 11, 22)
    assert list(TransitionLog.objects.filter(transition__startswith="fulfil").values_list(
        "target", "note")) == [
        ("partially_fulfilled", "Fulfilled on 2026-11-18: #1 × 2."),
        ("partially_fulfilled", "Fulfilled on 2026-11-20: #1 × 3, #3 × 1."),
        ("fulfilled", "Fulfilled on 2026-11-22: #2 × 6.")]


def test_more_than_the_open_quantity_is_refused_by_line(approved, finance):
    first = _lines(approved)[0]
    with pytest.raises(ValidationError) as error:
        services.fulfil_lines(order=approved, by=finance, quantities={first.pk: 99}, on=ON)
    assert error.value.message_dict == {
        f"line_{first.pk}": ["Only 5 of line #1 are left to fulfil."]}
    assert not Fulfilment.objects.exists()


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "A quantity cannot be negative."), ("many", "Enter a quantity, e.g. 5.")])
def test_bad_quantities_are_refused(approved, finance, value, message):
    first = _lines(approved)[0]
    with pytest.raises(ValidationError) as error:
        services.fulfil_lines(order=approved, by=finance, quantities={first.pk: value}, on=ON)
    assert error.value.message_dict == {f"line_{first.pk}": [message]}


def test_nothing_to_fulfil_is_refused(approved, finance):
    first = _lines(approved)[0]
    with pytest.raises(ValidationError, match="at least one line"):
        services.fulfil_lines(order=approved, by=finance, quantities={first.pk: 0}, on=ON)


def test_lines_of_another_order_are_refused(approved, sales_rep, finance):
    other = order_for(sales_rep, finance=finance)
    with pytest.raises(ValidationError, match="not on this order"):
        services.fulfil_lines(order=approved, by=finance,
                              quantities={_lines(other)[0].pk: 1}, on=ON)


def test_a_future_fulfilment_date_is_refused(approved, finance):
    with pytest.raises(ValidationError) as error:
        services.fulfil_lines(order=approved, by=finance, on=date(2026, 11, 24))
    assert error.value.message_dict == {"on": ["A fulfilment date cannot be in the future."]}


def test_an_order_on_credit_hold_cannot_be_fulfilled(held, finance):
    with pytest.raises(ValidationError, match="Only an approved order can be fulfilled"):
        services.fulfil_lines(order=held, by=finance, on=ON)
    assert not Fulfilment.objects.exists()


def test_a_cancelled_order_cannot_be_fulfilled(held, finance):
    services.cancel_order(order=held, by=finance, note="No", on=ON)
    with pytest.raises(ValidationError, match="is cancelled"):
        services.fulfil_lines(order=held, by=finance, on=ON)


@pytest.mark.parametrize("role", NOT_FINANCE)
def test_only_finance_fulfils(approved, role_users, role):
    with pytest.raises(PermissionDenied):
        services.fulfil_lines(order=approved, by=role_users[role], on=ON)


# Close ---------------------------------------------------------------------------------------

def test_a_fulfilled_order_closes(approved, finance):
    services.fulfil_lines(order=approved, by=finance, on=ON)
    order = services.close_order(order=approved, by=finance, on=ON)
    assert order.state == OrderState.CLOSED


def test_an_order_not_fulfilled_cannot_close(approved, finance):
    with pytest.raises(ValidationError, match="cannot close while approved"):
        services.close_order(order=approved, by=finance, on=ON)


@pytest.mark.parametrize("role", NOT_FINANCE)
def test_only_finance_closes(approved, finance, role_users, role):
    services.fulfil_lines(order=approved, by=finance, on=ON)
    with pytest.raises(PermissionDenied):
        services.close_order(order=approved, by=role_users[role], on=ON)


def test_a_closed_order_is_final(approved, finance):
    services.fulfil_lines(order=approved, by=finance, on=ON)
    services.close_order(order=approved, by=finance, on=ON)
    with pytest.raises(ValidationError):
        services.cancel_order(order=approved, by=finance, note="Undo", on=ON)
    with pytest.raises(ValidationError):
        services.fulfil_lines(order=approved, by=finance, on=ON)
