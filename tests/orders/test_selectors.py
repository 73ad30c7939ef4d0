"""Visibility of orders and the fulfilment facts billing and revenue read from contract lines."""

from datetime import date

import pytest
from django.db.models import Q

from contracts.models import ContractLine
from orders import services
from orders.selectors import (
    credit_hold_queue,
    fulfilled_on_of_contract_line,
    has_order_line_of_contract_line,
    orders_visible_to,
)
from tests.orders.factories import ON, contract_for, order_for

pytestmark = pytest.mark.django_db


def _annotated(contract):
    return {line.position: (line.fulfilled_on, line.has_order_line) for line in
            ContractLine.objects.filter(contract=contract).annotate(
                fulfilled_on=fulfilled_on_of_contract_line(),
                has_order_line=has_order_line_of_contract_line())}


def test_contract_lines_read_their_full_fulfilment_date_set_based(sales_rep, finance,
                                                                  django_assert_num_queries):
    # given: two seat lines and onboarding; seats #1 fully fulfilled on the 20th, seats #2
    # half done, onboarding not at all
    order = order_for(sales_rep, finance=finance, seat_lines=2)
    first, second, _ = order.lines.order_by("position")
    services.fulfil_lines(order=order, by=finance, on=date(2026, 11, 20),
                          quantities={first.pk: first.quantity, second.pk: 1})

    # when / then: one query for every line
    contract = order.contract
    with django_assert_num_queries(1):
        annotated = _annotated(contract)
    assert annotated == {1: (date(2026, 11, 20), True), 2: (None, True), 3: (None, True)}


def test_a_contract_line_never_ordered_has_no_order_line(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    assert set(_annotated(contract).values()) == {(None, False)}


def test_only_the_ordered_line_waits_for_its_fulfilment(sales_rep, finance):
    # given: only the seats are ordered, and fulfilled on the 21st
    contract = contract_for(sales_rep, finance=finance)
    seats, onboarding = contract.lines.order_by("position")
    order = services.create_order_from_contract(contract=contract, lines=[seats], by=finance,
                                                on=ON)
    services.fulfil_lines(order=order, by=finance, on=date(2026, 11, 21))
    assert _annotated(contract) == {1: (date(2026, 11, 21), True), 2: (None, False)}


def test_reps_see_their_accounts_orders_managers_their_team_finance_all(
        sales_rep, teammate_rep, other_rep, sales_manager, other_manager, finance, accountant,
        catalog_admin):
    mine = order_for(sales_rep, finance=finance)
    teammates = order_for(teammate_rep, finance=finance)
    others = order_for(other_rep, finance=finance)
    everything = {mine, teammates, others}

    def seen(user):
        return set(orders_visible_to(user))

    assert seen(sales_rep) == {mine}
    assert seen(sales_manager) == {mine, teammates}
    assert seen(other_manager) == {others}
    assert seen(finance) == everything and seen(accountant) == everything
    assert seen(catalog_admin) == set()


def test_credit_hold_queue_lists_only_held_orders_oldest_first(sales_rep, teammate_rep,
                                                               finance):
    first = order_for(sales_rep, finance=finance, overdue=True)
    order_for(sales_rep, finance=finance)  # approved: not in the queue
    second = order_for(teammate_rep, finance=finance, limit="1.00")
    assert list(credit_hold_queue(finance)) == [first, second]
    assert not credit_hold_queue(finance).filter(~Q(pk__in=[first.pk, second.pk])).exists()


