"""Termination: lines and their charge schedules end the day before the effective date; the
unused part of each period already billed is credited by a schedule row (explained), a period
not billed yet is only charged up to the last day; only finance may do it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import services
from contracts.models import ContractState, LineStatus, Termination
from contracts.services.schedules import charges_in_force
from core.transitions import history_for
from tests.contracts.factories import active_contract, draft_contract

pytestmark = pytest.mark.django_db


def bill(as_of, finance, capture):
    from billing.services.runs import create_invoice_run

    with capture(execute=True):
        create_invoice_run(by=finance, as_of=as_of)


def test_terminating_ends_the_lines_and_stores_the_explained_credit(
        sales_rep, finance, django_capture_on_commit_callbacks):
    # given: 5 seats at $127.50 a month, billed on the 1st, March billed in advance
    contract = active_contract(sales_rep, by=finance)
    bill(date(2027, 3, 1), finance, django_capture_on_commit_callbacks)

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
    assert termination.credit_amount == Decimal("69.92")  # 17 of March's 31 days
    [credit] = termination.schedule_change.rows.all()
    assert (credit.line, credit.kind, credit.amount, credit.period_start, credit.due_on) == (
        seat, "credit", Decimal("-69.92"), date(2027, 3, 15), date(2027, 3, 15))
    assert credit.explanation == "Credit for 17 days not served: −$69.92 of $127.50"
    # the months after it were never billed: they end, and nothing is charged for them
    assert not charges_in_force([seat]).filter(period_start__gt=date(2027, 3, 14)).exclude(
        kind="credit").exists()
    # and the contract's value is what its schedule still charges
    assert contract.total_contract_value == sum(
        (row.amount for row in charges_in_force(contract.lines.all())), Decimal(0))
    [terminate] = [h for h in history_for(contract) if h.transition == "terminate"]
    assert "Customer went out of business" in terminate.note


def test_terminating_on_a_period_start_credits_nothing(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)

    termination = services.terminate_contract(contract=contract, by=finance,
                                              effective_on=date(2027, 4, 1), reason="Moved")

    assert termination.credit_amount == 0
    assert not termination.schedule_change.rows.exists()
    assert termination.schedule_change.ended_rows.count() == 8  # April to November


def test_a_period_not_billed_yet_is_charged_up_to_the_last_day(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)

    termination = services.terminate_contract(contract=contract, by=finance,
                                              effective_on=date(2027, 3, 15), reason="Moved")

    assert termination.credit_amount == 0
    [shorter] = termination.schedule_change.rows.all()
    assert (shorter.kind, shorter.period_start, shorter.period_end, shorter.amount) == (
        "recurring", date(2027, 3, 1), date(2027, 3, 14), Decimal("57.58"))
    assert shorter.explanation == "14 of 31 days × $127.50 = $57.58"


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
