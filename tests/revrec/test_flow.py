"""The whole journey, as it happens in life: an accepted quote becomes a contract, the customer
signs, finance countersigns (the order is created and the contract activates), the onboarding is
delivered, December is invoiced and paid, revenue is recognized for December and the period is
closed; the ledger then holds exactly what revrec says."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from billing.models import Invoice
from billing.services.issuing import issue_invoices
from billing.services.runs import create_invoice_run
from ledger import chart
from ledger.models import AccountingPeriod, PeriodState
from ledger.selectors import trial_balance
from orders.models import Order
from orders.services.fulfilment import fulfil_lines
from payments.services.cash import Application, record_payment
from q2c import flows
from revrec.models import RecognitionItem, RunState
from revrec.reports import deferred_revenue_rollforward
from revrec.services import start_recognition_run
from revrec.services.closing import close_period
from revrec.tasks import create_revenue_contracts_task
from tests.contracts.factories import START, signed_contract

pytestmark = pytest.mark.django_db

DEC = date(2026, 12, 1)
DELIVERED = date(2026, 12, 10)


def balances(as_of):
    return {row.code: row.balance for row in trial_balance(as_of).rows}


def test_from_accepted_quote_to_recognized_revenue_and_a_closed_period(
        sales_rep, finance, accountant, time_machine, django_capture_on_commit_callbacks):
    # given: the contract signed by the customer; finance countersigns on the start date
    contract = signed_contract(sales_rep)
    time_machine.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        contract = flows.countersign_contract_flow(contract=contract, by=finance, on=START)
    assert contract.state == "active"
    create_revenue_contracts_task()

    # the onboarding is delivered on 10 December; December is invoiced and paid
    time_machine.move_to(datetime(2026, 12, 10, 9, tzinfo=UTC))
    order = Order.objects.get(contract=contract)
    fulfil_lines(order=order, by=finance, on=DELIVERED)
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=DELIVERED, accounts=[contract.account])
    invoices = list(Invoice.objects.filter(account=contract.account))
    issue_invoices(invoices=invoices, by=finance, on=DELIVERED)
    invoice = Invoice.objects.get(account=contract.account)
    record_payment(account=contract.account, method="bank_transfer", amount=invoice.total,
                   currency="USD", received_on=DELIVERED, by=finance,
                   applications=[Application(invoice.pk, invoice.total)])

    # when: the accountant recognizes December and closes it
    time_machine.move_to(datetime(2027, 1, 5, 9, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        run = start_recognition_run(month=DEC, by=accountant)
    run.refresh_from_db()
    period = close_period(month=DEC, by=accountant)

    # then: December's seats (129.95) and the delivered onboarding (5,000.00) are revenue
    assert run.state == RunState.COMPLETED and period.state == PeriodState.CLOSED
    item = RecognitionItem.objects.get(run=run)
    assert item.recognized == D("5129.95")
    end = date(2026, 12, 31)
    books = balances(end)
    assert books[chart.REVENUE] == D("-5129.95")
    billed = invoice.subtotal
    assert -(books.get(chart.DEFERRED_REVENUE, D(0)) + books.get(chart.UNBILLED_RECEIVABLE,
                                                                  D(0))) == billed - D("5129.95")
    assert books.get(chart.ACCOUNTS_RECEIVABLE, D(0)) == 0  # paid
    (row,) = deferred_revenue_rollforward(first=DEC, last=DEC).rows
    assert row[2] == billed and row[3] == D("5129.95") and row[9] == 0
    assert AccountingPeriod.objects.get(start_on=DEC).state == PeriodState.CLOSED
