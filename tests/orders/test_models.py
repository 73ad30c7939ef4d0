"""The rules the database holds for orders, and the state field only transitions change."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed

from orders.models import OrderState
from tests.orders.factories import ON, order_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(sales_rep, finance):
    return order_for(sales_rep, finance=finance).lines.order_by("position").first()


def test_fulfilled_quantity_cannot_exceed_the_quantity(line):
    line.fulfilled_quantity = line.quantity + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_a_line_is_dated_only_when_fully_fulfilled(line):
    line.fulfilled_quantity, line.fulfilled_on = Decimal(1), ON
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_a_contract_line_appears_once_per_order(line):
    line.pk, line.position = None, 99
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_the_state_changes_only_through_transitions(sales_rep, finance):
    order = order_for(sales_rep, finance=finance)
    with pytest.raises(AttributeError):
        order.state = OrderState.CLOSED
    with pytest.raises(TransitionNotAllowed):
        order.close()
    order.refresh_from_db()  # FSMModelMixin lets protected fields reload
    assert order.state == OrderState.APPROVED
