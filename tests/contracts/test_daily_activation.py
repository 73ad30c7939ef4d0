"""The daily activation moves every due contract in bulk (issue 22 item 14): the queries do not
grow with the number of contracts, and each contract still goes live as one activated alone
would (state, activation day, change stamp, history row)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts import services
from contracts.models import Contract, ContractState
from core.actors import Actor
from core.transitions import history_for
from tests.contracts.factories import START, countersigned_contract

pytestmark = pytest.mark.django_db
RUN_AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def _queries_to_activate(count: int, owner, finance) -> int:
    for _ in range(count):
        countersigned_contract(owner, by=finance)
    system = Actor.task("activate_due_contracts")
    with CaptureQueriesContext(connection) as captured:
        activated = services.activate_due_contracts(by=system, on=START)
    assert len(activated) == count
    return len(captured)


def test_activating_three_contracts_takes_the_queries_of_one(sales_rep, other_rep, finance):
    _queries_to_activate(1, sales_rep, finance)  # warms the caches (content types, actor)
    one = _queries_to_activate(1, sales_rep, finance)
    three = _queries_to_activate(3, other_rep, finance)

    assert three == one


def test_each_contract_goes_live_with_its_day_stamp_and_history(sales_rep, finance):
    due = [countersigned_contract(sales_rep, by=finance) for _ in range(2)]

    with time_machine.travel(RUN_AT, tick=False):
        services.activate_due_contracts(by=Actor.task("activate_due_contracts"), on=START)

    for contract in Contract.objects.filter(pk__in=[c.pk for c in due]):
        assert contract.state == ContractState.ACTIVE and contract.activated_on == START
        assert contract.updated_at == RUN_AT
        log = history_for(contract).get(transition="activate")
        assert (log.source, log.target) == (ContractState.SIGNED, ContractState.ACTIVE)
        assert log.note == "Start date reached" and log.business_date == START
