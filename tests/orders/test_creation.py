"""Creating an order from a countersigned contract and the credit check on submit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import ContractState
from core.actors import Actor
from core.models import TransitionLog
from ledger.models import JournalLine
from orders import services
from orders.models import LineKind, Order, OrderKind, OrderState
from tests.contracts.factories import signed_contract
from tests.orders.factories import ON, contract_for, order_for, set_credit

pytestmark = pytest.mark.django_db


def _steps(order):
    return list(TransitionLog.objects.filter(object_id=order.pk, content_type__model="order")
                .values_list("transition", "target"))


def test_order_has_one_line_per_contract_line_and_is_approved_without_limit(sales_rep,
                                                                              finance):
    # given: another rep's order as noise
    contract = contract_for(sales_rep, finance=finance, seat_lines=2)

    # when
    order = services.create_order_from_contract(contract=contract, by=finance, on=ON)

    # then
    assert order.state == OrderState.APPROVED and order.kind == OrderKind.NEW
    assert order.number == "O-2026-00001"
    assert order.account_id == contract.account_id and order.currency == "USD"
    lines = list(order.lines.order_by("position"))
    contract_lines = list(contract.lines.order_by("position"))
    assert [line.contract_line_id for line in lines] == [line.pk for line in contract_lines]
    assert [line.quantity for line in lines] == [line.quantity for line in contract_lines]
    assert [line.kind for line in lines] == [LineKind.SUBSCRIPTION, LineKind.SUBSCRIPTION,
                                             LineKind.DELIVERY]
    assert all(line.fulfilled_quantity == 0 and line.fulfilled_on is None for line in lines)
    assert _steps(order) == [("create", "draft"), ("submit", "submitted"),
                             ("pass_credit_check", "approved")]


def test_first_year_value_is_a_year_of_the_subscription_plus_one_time_items(sales_rep,
                                                                            finance):
    contract = contract_for(sales_rep, finance=finance)
    order = services.create_order_from_contract(contract=contract, by=finance, on=ON)
    seats, onboarding = contract.lines.order_by("position")
    # a 12-month monthly line bills its whole net in year one
    assert order.first_year_value == seats.net_amount + onboarding.net_amount
    assert sum(line.first_year_value for line in order.lines.all()) == order.first_year_value


def test_numbers_are_gapless_per_year(sales_rep, teammate_rep, finance):
    first = order_for(sales_rep, finance=finance)
    second = order_for(teammate_rep, finance=finance)
    assert (first.number, second.number) == ("O-2026-00001", "O-2026-00002")


def test_system_user_may_create_orders(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    order = services.create_order_from_contract(contract=contract,
                                                by=Actor.task("orders-test"), on=ON)
    assert order.state == OrderState.APPROVED


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "accountant", "catalog_admin"])
def test_only_finance_and_system_create_orders(role, role_users, sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    with pytest.raises(PermissionDenied):
        services.create_order_from_contract(contract=contract, by=role_users[role], on=ON)
    assert not Order.objects.exists()


def test_contract_not_countersigned_is_not_ordered(sales_rep, finance):
    contract = signed_contract(sales_rep)
    with pytest.raises(ValidationError, match="not countersigned"):
        services.create_order_from_contract(contract=contract, by=finance, on=ON)
    assert contract.state == ContractState.SIGNED and not Order.objects.exists()


def test_chosen_lines_make_an_order_each(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    seats, onboarding = contract.lines.order_by("position")
    first = services.create_order_from_contract(contract=contract, lines=[seats], by=finance,
                                                on=ON)
    second = services.create_order_from_contract(contract=contract, lines=[onboarding],
                                                 by=finance, on=ON)
    assert first.kind == second.kind == OrderKind.NEW
    assert [line.contract_line for line in first.lines.all()] == [seats]
    assert [line.contract_line for line in second.lines.all()] == [onboarding]
    assert second.first_year_value == onboarding.net_amount


def test_a_contract_line_already_ordered_is_refused(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    services.create_order_from_contract(contract=contract, by=finance, on=ON)
    with pytest.raises(ValidationError) as error:
        services.create_order_from_contract(contract=contract, by=finance, on=ON)
    assert error.value.message_dict["lines"] == [
        f"Contract {contract} lines #1, #2 are already on an order."]
    assert Order.objects.count() == 1


def test_lines_of_a_cancelled_order_can_be_ordered_again(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance, overdue=True)
    held = services.create_order_from_contract(contract=contract, by=finance, on=ON)
    services.cancel_order(order=held, by=finance, note="Wrong entity", on=ON)
    set_credit(contract.account, limit="0")
    again = services.create_order_from_contract(contract=contract, by=finance, on=ON)
    assert again.state == OrderState.APPROVED and again.number == "O-2026-00002"


def test_lines_of_another_contract_are_refused(sales_rep, teammate_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    other = contract_for(teammate_rep, finance=finance)
    with pytest.raises(ValidationError) as error:
        services.create_order_from_contract(contract=contract, lines=list(other.lines.all()),
                                            by=finance, on=ON)
    assert "lines" in error.value.message_dict


def test_an_empty_choice_of_lines_is_refused(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    with pytest.raises(ValidationError, match="at least one"):
        services.create_order_from_contract(contract=contract, lines=[], by=finance, on=ON)


# The credit check ---------------------------------------------------------------------------

def test_exposure_over_the_limit_puts_the_order_on_hold_with_the_reason(sales_rep, finance):
    order = order_for(sales_rep, finance=finance, limit="100.00")
    assert order.state == OrderState.ON_CREDIT_HOLD
    assert "over the credit limit of USD 100.00" in order.credit_hold_reason
    assert order.credit_limit == 100 and order.credit_open_receivable == 0
    assert order.credit_checked_at is not None
    assert _steps(order)[-1] == ("hold", "on_credit_hold")
    assert TransitionLog.objects.filter(transition="hold").get().note == order.credit_hold_reason


def test_exposure_within_the_limit_is_approved(sales_rep, finance):
    order = order_for(sales_rep, finance=finance, limit="1000000.00")
    assert order.state == OrderState.APPROVED and order.credit_hold_reason == ""
    note = TransitionLog.objects.get(transition="pass_credit_check").note
    assert note.startswith("Credit check passed") and "1,000,000" in note


def test_limit_exactly_met_by_the_first_year_value_is_approved(sales_rep, finance):
    contract = contract_for(sales_rep, finance=finance)
    value = sum(line.net_amount for line in contract.lines.all())
    set_credit(contract.account, limit=value)
    order = services.create_order_from_contract(contract=contract, by=finance, on=ON)
    assert order.state == OrderState.APPROVED and order.first_year_value == value


def test_overdue_account_is_held_even_without_a_limit(sales_rep, finance):
    order = order_for(sales_rep, finance=finance, overdue=True)
    assert order.state == OrderState.ON_CREDIT_HOLD
    assert order.credit_hold_reason == "The account is flagged overdue since 2026-11-23."


def test_open_receivable_from_the_ledger_counts_against_the_limit(sales_rep, finance):
    # given: a limit the order alone fits in, and an open receivable that tips it over
    contract = contract_for(sales_rep, finance=finance)
    value = sum(line.net_amount for line in contract.lines.all())
    set_credit(contract.account, limit=value + 100)
    _post_receivable(contract.account, "150.00", finance)

    # when
    order = services.create_order_from_contract(contract=contract, by=finance, on=ON)

    # then
    assert order.state == OrderState.ON_CREDIT_HOLD
    assert order.credit_open_receivable == 150
    assert "Open receivable USD 150.00" in order.credit_hold_reason


def _post_receivable(account, amount, finance):
    """An invoice-like receivable through the ledger's own posting service."""
    from decimal import Decimal

    from ledger import chart
    from ledger.drafts import EntryDraft, LineDraft
    from ledger.services import post_entry

    amount = Decimal(amount)
    post_entry(EntryDraft(
        document_date=ON, memo="Test invoice", source_label="test",
        lines=[LineDraft(gl_code=chart.ACCOUNTS_RECEIVABLE, debit=amount,
                         customer_account_id=account.pk, document_currency="USD",
                         document_amount=amount),
               LineDraft(gl_code=chart.REVENUE, credit=amount)]),
        by=finance)
    assert JournalLine.objects.filter(customer_account=account).exists()
