"""The hand-offs into orders, as `q2c.flows` runs them: countersigning a contract creates its
order and credit checks it; accepting an amendment orders the lines it started."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from contracts.models import ContractLine, ContractState
from core.models import TransitionLog
from orders import services
from orders.models import LineKind, Order, OrderKind, OrderState
from orders.selectors import fulfilled_on_of_contract_line, has_order_line_of_contract_line
from q2c import flows
from tests.contracts.factories import ON, active_contract, signed_contract
from tests.contracts.test_amendments import EFFECTIVE, amended_to
from tests.orders.factories import set_credit

pytestmark = pytest.mark.django_db


def test_countersigning_creates_the_approved_order(sales_rep, finance):
    # given: a contract the customer signed, and another rep's signed contract as noise
    contract = signed_contract(sales_rep, seat_lines=2)

    # when
    contract = flows.countersign_contract_flow(contract=contract, by=finance, on=ON)

    # then
    order = Order.objects.get()
    assert (order.contract, order.kind, order.state) == (contract, OrderKind.NEW,
                                                         OrderState.APPROVED)
    assert order.lines.count() == contract.lines.count() == 3
    assert contract.state == ContractState.SIGNED  # it starts on 2026-12-01
    assert TransitionLog.objects.filter(object_id=order.pk, content_type__model="order",
                                        transition="submit", actor=finance).exists()


def test_countersigning_an_overdue_account_puts_the_order_on_hold(sales_rep, finance):
    contract = signed_contract(sales_rep)
    set_credit(contract.account, limit="0", overdue=True)

    contract = flows.countersign_contract_flow(contract=contract, by=finance, on=ON)

    order = contract.orders.get()
    assert order.state == OrderState.ON_CREDIT_HOLD
    assert contract.is_countersigned  # the contract stands; the order waits for finance


def test_countersigned_after_the_start_the_contract_activates_and_lines_wait_for_fulfilment(
        sales_rep, finance):
    # given
    contract = signed_contract(sales_rep)

    # when: countersigned on 2 December, fulfilled on the 4th
    with time_machine.travel("2026-12-02 10:00 +00:00", tick=False):
        contract = flows.countersign_contract_flow(contract=contract, by=finance)
    order = contract.orders.get()
    with time_machine.travel("2026-12-04 10:00 +00:00", tick=False):
        services.fulfil_lines(order=order, by=finance)

    # then: the contract is active and billing reads the fulfilment date per line
    assert contract.state == ContractState.ACTIVE
    lines = ContractLine.objects.filter(contract=contract).annotate(
        fulfilled_on=fulfilled_on_of_contract_line(), ordered=has_order_line_of_contract_line())
    assert {(line.fulfilled_on, line.ordered) for line in lines} == {(date(2026, 12, 4), True)}


def test_accepting_an_amendment_orders_the_lines_it_started(sales_rep, finance):
    # given: an active contract and its first order, fulfilled
    contract = signed_contract(sales_rep)
    with time_machine.travel("2026-12-02 10:00 +00:00", tick=False):
        contract = flows.countersign_contract_flow(contract=contract, by=finance)
        services.fulfil_lines(order=contract.orders.get(), by=finance)

    # when: the customer accepts eight seats from 15 March
    with time_machine.travel("2026-12-03 10:00 +00:00", tick=True):
        amended_to(contract, sales_rep, Decimal(8))

    # then
    amendment_order = contract.orders.get(kind=OrderKind.AMENDMENT)
    [line] = amendment_order.lines.all()
    # the new line runs eight seats; the order provisions the three added
    assert line.contract_line.start_on == EFFECTIVE and line.contract_line.quantity == 8
    assert line.quantity == 3
    assert line.kind == LineKind.SUBSCRIPTION and amendment_order.state == OrderState.APPROVED
    assert TransitionLog.objects.get(object_id=amendment_order.pk, content_type__model="order",
                                     transition="submit").actor_kind == "customer"


def test_an_amendment_is_ordered_even_when_the_contract_had_no_order(sales_rep, finance):
    # given: countersigned through the contract service alone, so never ordered
    contract = active_contract(sales_rep, by=finance)

    # when
    amended_to(contract, sales_rep, Decimal(8))

    # then: only the new seats line is ordered; the rest bills from its start date
    order = contract.orders.get()
    assert order.kind == OrderKind.AMENDMENT
    assert [line.contract_line.start_on for line in order.lines.all()] == [EFFECTIVE]


def test_ordering_an_amended_contract_whole_leaves_out_its_ended_lines(sales_rep, finance):
    # given: an active contract never ordered, whose seats line an amendment ended
    contract = active_contract(sales_rep, by=finance)
    amended_to(contract, sales_rep, Decimal(8))
    order = contract.orders.get()  # the amendment's order, of the new seats line
    services.cancel_order(order=order, by=finance, note="Order the whole contract", on=ON)

    # when
    whole = services.create_order_from_contract(contract=contract, by=finance, on=ON)

    # then: onboarding and the new seats line, not the ended one
    assert sorted(line.contract_line.status for line in whole.lines.all()) == [
        "active", "pending"]
    assert whole.kind == OrderKind.AMENDMENT


def test_an_amendment_that_only_reduces_orders_nothing(sales_rep, finance):
    # given an active contract with five seats
    contract = active_contract(sales_rep, by=finance)

    # when the customer goes down to three seats
    amended_to(contract, sales_rep, Decimal(3))

    # then nothing is to be delivered: no order, and the new line bills from its start
    assert not contract.orders.exists()
