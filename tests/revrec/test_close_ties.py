"""The close ties customer credits (issue 15: "unapplied cash and customer credit = its
liability"): payments' sub-ledger, per customer account and currency, against the general
ledger's customer credits; a difference names the account and blocks the close."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ledger import chart
from ledger.services import EntryDraft, LineDraft, post_entry
from payments.services import record_payment
from revrec.checklist import close_checklist
from revrec.services.closing import close_period
from tests.payments.factories import account, rate
from tests.revrec.factories import system

pytestmark = pytest.mark.django_db
OCT = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def euro_rate():
    rate("EUR", "1.10")


def credits_check():
    return next(check for check in close_checklist(OCT) if check.key == "customer_credits")


def test_unapplied_cash_agrees_with_the_ledger(finance):
    customer = account(currency="EUR")
    record_payment(account=customer, method="wire", amount="70.00", currency="EUR",
                   received_on=date(2026, 10, 5), by=finance)

    check = credits_check()

    assert check.done and check.label == "Customer credits agree with the ledger"


def test_customer_credits_moved_by_hand_block_the_close_and_name_the_account(finance,
                                                                             accountant):
    customer = account(currency="EUR", name="Brabant Analytics")
    record_payment(account=customer, method="wire", amount="70.00", currency="EUR",
                   received_on=date(2026, 10, 5), by=finance)
    post_entry(EntryDraft(document_date=date(2026, 10, 6), memo="Tidy credits", lines=[
        LineDraft(chart.CUSTOMER_CREDITS, debit="11.00", customer_account_id=customer.pk,
                  document_currency="EUR", document_amount="10.00", rate="1.1"),
        LineDraft(chart.REVENUE, credit="11.00")]), by=system())

    check = credits_check()

    assert not check.done
    assert check.detail == ("Brabant Analytics EUR: ledger 60.00, unapplied cash and credit "
                            "owed back 70.00")
    with pytest.raises(ValidationError, match="Customer credits agree with the ledger"):
        close_period(month=OCT, by=accountant)


def test_a_credit_note_that_leaves_money_owed_back_agrees_before_and_after_collection(finance):
    """Found by the two-year seed: a credit note's excess (owed back, booked to customer
    credits by billing) counted only once payments had collected it into a CustomerCredit."""
    from decimal import Decimal

    from billing.services.credit_notes import issue_credit_note
    from payments.selectors import credit_balance
    from payments.services import Application
    from payments.services.credits import collect_credit_note_credits
    from tests.payments.factories import issued_invoice

    customer = account()
    invoice = issued_invoice(account_=customer, net=Decimal("100.00"), on=date(2026, 10, 1))
    record_payment(account=customer, method="bank_transfer", amount="70.00", currency="USD",
                   received_on=date(2026, 10, 15), by=finance,
                   applications=[Application(invoice.pk, Decimal("70.00"))])
    issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True,
                      on=date(2026, 10, 20))

    assert credit_balance(customer, "USD") == Decimal("70.00")
    assert credits_check().done
    collect_credit_note_credits()
    assert credit_balance(customer, "USD") == Decimal("70.00")
    assert credits_check().done
