"""A whole term, billed and served, through the services: quote, contract, activation, an invoice
run and its issue every month, the onboarding delivered, a recognition run every month. At the
end deferred revenue and the unbilled receivable of the contract are exactly zero and revenue
recognized equals what was billed, to the cent; the same after an amendment and after a
termination (whose credit is a row of the charge schedule that billing bills and revrec reads).

The contract (tests.contracts.factories): 1 December 2026 to 30 November 2027, 5 user seats
billed monthly at 15% off and the onboarding (5,000.00, delivered on 10 December). The ledger
is the test's alone, so its balances are this contract's.
"""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from billing.models import Invoice, InvoiceState
from billing.services.issuing import issue_invoices
from billing.services.runs import create_invoice_run
from contracts.models import ContractLine
from contracts.services.schedules import charges_in_force
from contracts.services.termination import terminate_contract
from contracts.tasks import activate_due_contracts_task
from core.dates import add_months
from core.money import round_money
from ledger import chart
from ledger.selectors import trial_balance
from orders.models import Order, OrderState
from orders.services.fulfilment import fulfil_lines
from q2c import flows
from revrec.models import RecognitionItem, RevenueContract, RunState, ScheduleLine
from revrec.selectors import billed_to_date
from revrec.services import start_recognition_run
from tests.contracts.factories import signed_contract
from tests.contracts.test_amendments import amended_to
from tests.revrec.factories import START

pytestmark = pytest.mark.django_db

DELIVERED = date(2026, 12, 10)
AFTER_TERM = date(2027, 12, 1)


def balance(code):
    row = next((r for r in trial_balance().rows if r.code == code), None)
    return row.balance if row else D(0)


def bill(contract, finance, month, captured):
    """The month's invoice run for the account (as of its first day) and its drafts issued."""
    with captured(execute=True):
        create_invoice_run(by=finance, as_of=month, accounts=[contract.account])
    drafts = list(Invoice.objects.filter(account=contract.account, state=InvoiceState.DRAFT))
    if drafts:
        issue_invoices(invoices=drafts, by=finance, on=month)


def recognize(month, accountant, captured):
    with captured(execute=True):
        run = start_recognition_run(month=month, by=accountant, on=add_months(month, 1))
    run.refresh_from_db()
    assert run.state == RunState.COMPLETED, run.error


def serve_the_term(contract, *, finance, accountant, captured, time_machine, change=None):
    """Bill and recognize every month from December 2026 to December 2027; `change(month)` is
    called on the first day of each month before its run (an amendment or a termination)."""
    month = START
    while month <= AFTER_TERM:
        time_machine.move_to(datetime(month.year, month.month, 1, 9, tzinfo=UTC))
        if change is not None:
            change(month)
        activate_due_contracts_task()  # the daily task: lines whose start date came
        bill(contract, finance, month, captured)
        if month == START:  # the onboarding (and any amendment's seats) delivered
            time_machine.move_to(datetime(2026, 12, 10, 9, tzinfo=UTC))
            for order in Order.objects.filter(contract=contract, state=OrderState.APPROVED):
                fulfil_lines(order=order, by=finance, on=DELIVERED)
        recognize(month, accountant, captured)
        month = add_months(month, 1)


def active_with_order(sales_rep, finance, captured, time_machine):
    """Signed by the customer, countersigned by finance on the start date (the order is made
    and the contract activates), as in tests/revrec/test_flow.py."""
    contract = signed_contract(sales_rep)
    time_machine.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    with captured(execute=True):
        contract = flows.countersign_contract_flow(contract=contract, by=finance, on=START)
    assert contract.state == "active"
    return contract


def total(rows):
    return round_money(rows.aggregate(total=Sum("amount"))["total"] or D(0), "USD")


def assert_recognized_as_scheduled(contract):
    """Revrec's side: transaction price = recognized = Σ schedule rows in force, nothing
    left to recognize."""
    rcs = list(RevenueContract.objects.filter(contract=contract))
    scheduled = total(charges_in_force(ContractLine.objects.filter(contract=contract)))
    recognized = total(ScheduleLine.objects.filter(obligation__revenue_contract__in=rcs,
                                                   run__isnull=False))
    assert (sum((rc.transaction_price for rc in rcs), D(0)), recognized) == (scheduled,
                                                                             scheduled)
    assert not ScheduleLine.objects.filter(obligation__revenue_contract__in=rcs,
                                           run__isnull=True).exclude(amount=0).exists()


def assert_settled(contract):
    """Recognized = billed = Σ schedule rows in force, deferred and unbilled exactly zero."""
    assert_recognized_as_scheduled(contract)
    rcs = list(RevenueContract.objects.filter(contract=contract))
    billed = sum((b.amount for b in billed_to_date([rc.pk for rc in rcs],
                                                   through=AFTER_TERM).values()), D(0))
    scheduled = total(charges_in_force(ContractLine.objects.filter(contract=contract)))
    last = RecognitionItem.objects.filter(revenue_contract__in=rcs).order_by("-month").first()
    assert billed == scheduled
    assert (last.contract_asset, last.contract_liability) == (0, 0)
    assert balance(chart.DEFERRED_REVENUE) == 0
    assert balance(chart.UNBILLED_RECEIVABLE) == 0
    assert balance(chart.REVENUE) == -billed


def test_a_term_served_and_billed_leaves_nothing_deferred_or_unbilled(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks, time_machine):
    # given
    contract = active_with_order(sales_rep, finance, django_capture_on_commit_callbacks,
                                 time_machine)

    # when
    serve_the_term(contract, finance=finance, accountant=accountant,
                   captured=django_capture_on_commit_callbacks, time_machine=time_machine)

    # then
    assert_settled(contract)


def test_after_an_amendment_recognized_equals_billed_and_nothing_stays_deferred(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks, time_machine):
    # given: 8 seats from 15 March 2027, agreed on 23 November 2026
    contract = active_with_order(sales_rep, finance, django_capture_on_commit_callbacks,
                                 time_machine)
    amended_to(contract, sales_rep, D(8))

    # when
    serve_the_term(contract, finance=finance, accountant=accountant,
                   captured=django_capture_on_commit_callbacks, time_machine=time_machine)

    # then
    assert_settled(contract)


def test_after_a_mid_month_termination_the_credit_leaves_nothing_deferred(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks, time_machine):
    # given: terminated from 17 May 2027, after May was billed
    contract = active_with_order(sales_rep, finance, django_capture_on_commit_callbacks,
                                 time_machine)

    def terminate(month):
        if month == date(2027, 6, 1):
            terminate_contract(contract=contract, by=finance, effective_on=date(2027, 5, 17),
                               reason="Customer left", on=month)

    # when
    serve_the_term(contract, finance=finance, accountant=accountant,
                   captured=django_capture_on_commit_callbacks, time_machine=time_machine,
                   change=terminate)

    # then: revenue stops on 16 May, less the credit for 17 to 31 May (a schedule row)
    assert_recognized_as_scheduled(contract)
    # and billing credited it (a credit note on May's invoice: nothing else was due), so
    # nothing stays deferred
    credits = charges_in_force(contract.lines.all()).filter(kind="credit")
    assert total(credits) == D("-61.69")
    assert not credits.filter(billing_record__isnull=True).exists()
    assert credits.get().billing_record.credit_note_line is not None
    assert_settled(contract)


def test_after_a_downsell_whose_credit_is_billed_with_the_new_charges_nothing_stays_deferred(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks, time_machine):
    # given: 3 seats instead of 5 from 15 March 2027, after March was billed: the credit for
    # 15 to 31 March lands on April's invoice with the new line's first charges
    contract = active_with_order(sales_rep, finance, django_capture_on_commit_callbacks,
                                 time_machine)

    def downsell(month):
        if month == date(2027, 4, 1):
            amended_to(contract, sales_rep, D(3))

    # when
    serve_the_term(contract, finance=finance, accountant=accountant,
                   captured=django_capture_on_commit_callbacks, time_machine=time_machine,
                   change=downsell)

    # then
    assert charges_in_force(contract.lines.all()).filter(kind="credit").exists()
    assert_settled(contract)
