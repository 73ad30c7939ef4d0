"""Termination: lines end the day before the effective date, the unused part of each billed
period is credited (stored, explained), and only finance may do it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import services
from contracts.models import ContractState, LineStatus, Termination
from core.transitions import history_for
from tests.contracts.factories import active_contract, draft_contract

pytestmark = pytest.mark.django_db


def test_terminating_ends_the_lines_and_stores_the_explained_credit(sales_rep, finance):
    # given: 5 seats at $127.50 a month, billed on the 1st
    contract = active_contract(sales_rep, by=finance)

    # when: the last day of service is 14 March 2027
    termination = services.terminate_contract(contract=contract, by=finance,
                                              effective_on=date(2027, 3, 15),
                                              reason="Customer went out of business")

    # then
    contract.refresh_from_db()
    assert (contract.state, contract.ended_on) == (ContractState.TERMINATED, date(2027, 3, 14))
    seat = contract.lines.get(product__sku="SEAT-USER")
    assert (seat.status, seat.end_on) == (LineStatus.ENDED, date(2027, 3, 14))
    onboarding = contract.lines.get(product__sku="ONBOARDING")
    assert onboarding.end_on == onboarding.start_on  # delivered long before: untouched
    assert termination.credit_amount == Decimal("69.92")
    assert termination.credit_lines == [{
        "line": seat.pk, "product": seat.product.name, "amount": "69.92",
        "explanation": "17 of 31 days × $127.50 = $69.92"}]
    [terminate] = [h for h in history_for(contract) if h.transition == "terminate"]
    assert "Customer went out of business" in terminate.note


def test_terminating_on_a_period_start_credits_nothing(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)

    termination = services.terminate_contract(contract=contract, by=finance,
                                              effective_on=date(2027, 4, 1), reason="Moved")

    assert termination.credit_amount == 0 and termination.credit_lines == []


@pytest.mark.parametrize(("effective_on", "reason", "field"), [
    (None, "why", "effective_on"),
    (date(2026, 12, 1), "why", "effective_on"),
    (date(2027, 12, 1), "why", "effective_on"),
    (date(2027, 3, 15), "  ", "reason"),
])
def test_bad_termination_input_is_refused_by_field(sales_rep, finance, effective_on, reason,
                                                   field):
    contract = active_contract(sales_rep, by=finance)

    with pytest.raises(ValidationError) as error:
        services.terminate_contract(contract=contract, by=finance, effective_on=effective_on,
                                    reason=reason)

    assert field in error.value.message_dict
    assert not Termination.objects.exists()
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE


def test_only_an_active_contract_is_terminated(sales_rep, finance):
    with pytest.raises(ValidationError, match="Only an active contract can be terminated"):
        services.terminate_contract(contract=draft_contract(sales_rep), by=finance,
                                    effective_on=date(2027, 3, 15), reason="why")


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "accountant"])
def test_only_finance_terminates(role_users, finance, role):
    contract = active_contract(role_users["sales_rep"], by=finance)

    with pytest.raises(PermissionDenied):
        services.terminate_contract(contract=contract, by=role_users[role],
                                    effective_on=date(2027, 3, 15), reason="why")
