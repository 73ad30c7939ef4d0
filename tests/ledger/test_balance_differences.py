"""A sub-ledger tied to the ledger in the database: `balance_differences` sums the sub-ledger's
rows beside the ledger's balances (the latest kept period's and the lines after it) per customer
account and currency, and returns only the keys that differ, each side rounded to the currency
(issue 23: the close checklist merged 200,000 rows in Python to find none)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import CharField, DecimalField, Value
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext

from customers.models import Account
from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from ledger.selectors import BalanceDifference, balance_differences
from tests.ledger.factories import CustomerAccountFactory, close_month, invoice_draft

pytestmark = pytest.mark.django_db
JAN, FEB = dt.date(2026, 1, 10), dt.date(2026, 2, 10)


def says(amount, accounts=None, currency=None):
    """A sub-ledger that says `amount` for each customer account (in its own currency, or
    `currency`): rows (account id, currency, amount) as the checklist's sub-ledgers give."""
    rows = Account.objects.order_by()
    if accounts is not None:
        rows = rows.filter(pk__in=[a.pk for a in accounts])
    typed = DecimalField(max_digits=19, decimal_places=4)
    return rows.values_list(
        "pk", Value(currency, output_field=CharField()) if currency else "currency",
        Cast(Value(None), typed) if amount is None else Value(D(amount), output_field=typed))


def customers(count):
    return [CustomerAccountFactory(currency="EUR", name=f"Customer {n:02d}")
            for n in range(count)]


@pytest.mark.parametrize("closed", [False, True], ids=["all lines", "kept January"])
def test_a_cent_on_one_customer_among_many_is_the_only_difference(closed, finance, accountant):
    # given ten customers whose receivable is 60.00 in January and 40.00 in February (EUR at
    # 1.10), the last one 39.99 in February, and a sub-ledger that says 100.00 for each
    many = customers(10)
    services.post_entries([invoice_draft(c, document_amount="60.00", rate="1.10", on=JAN)
                           for c in many], by=finance)
    if closed:
        close_month(JAN, by=accountant)
    services.post_entries([invoice_draft(c, document_amount="40.00", rate="1.10", on=FEB)
                           for c in many[:-1]]
                          + [invoice_draft(many[-1], document_amount="39.99", rate="1.10",
                                           on=FEB)], by=finance)

    # when the two are compared, then only the cent is named, in the document currency
    assert balance_differences([says("100.00")], gl_code=chart.ACCOUNTS_RECEIVABLE) == [
        BalanceDifference(many[-1].pk, "EUR", ledger=D("99.99"), sub_ledger=D("100.00"))]


def test_each_side_is_rounded_to_the_currency_before_they_are_compared(finance):
    # given 100.00 in the ledger, and sub-ledgers stored to four places
    customer, = customers(1)
    services.post_entry(invoice_draft(customer, document_amount="100.00", rate="1.10", on=JAN),
                        by=finance)

    # then 100.0040 is 100.00 and agrees; 100.0060 is 100.01 and does not
    assert balance_differences([says("100.0040")], gl_code=chart.ACCOUNTS_RECEIVABLE) == []
    assert balance_differences([says("100.0060")], gl_code=chart.ACCOUNTS_RECEIVABLE) == [
        BalanceDifference(customer.pk, "EUR", ledger=D("100.00"), sub_ledger=D("100.01"))]


def test_sub_ledger_rows_add_up_and_a_missing_amount_counts_as_nothing(finance):
    # given 100.00 in the ledger for the first customer and nothing for the second
    first, second = customers(2)
    services.post_entry(invoice_draft(first, document_amount="100.00", rate="1.10", on=JAN),
                        by=finance)

    # then two sub-ledger rows of 50.00 agree with it; an amount of NULL (a revenue contract
    # with no run yet) is no amount; the second customer is named on both sides
    assert balance_differences([says("50.00", [first]), says("50.00", [first]),
                                says(None, [first, second])],
                               gl_code=chart.ACCOUNTS_RECEIVABLE) == []
    assert balance_differences([says("100.00")], gl_code=chart.ACCOUNTS_RECEIVABLE) == [
        BalanceDifference(second.pk, "EUR", ledger=D("0.00"), sub_ledger=D("100.00"))]


def test_a_credit_balance_reads_positive_and_a_line_without_currency_is_functional(finance):
    # given 25.00 credited to a customer's credits without a document currency (a functional
    # amount), against a sub-ledger that says 25.00 in USD
    customer, = customers(1)
    services.post_entry(EntryDraft(document_date=JAN, memo="Credit owed back", lines=[
        LineDraft(chart.REVENUE, debit=D("25.00")),
        LineDraft(chart.CUSTOMER_CREDITS, credit=D("25.00"), customer_account_id=customer.pk)]),
        by=finance)

    assert balance_differences([says("25.00", currency="USD")], gl_code=chart.CUSTOMER_CREDITS,
                               credit=True) == []
    assert balance_differences([says("25.00", currency="USD")],
                               gl_code=chart.CUSTOMER_CREDITS) == [
        BalanceDifference(customer.pk, "USD", ledger=D("-25.00"), sub_ledger=D("25.00"))]


def test_two_queries_whatever_the_number_of_customers(finance, accountant):
    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            balance_differences([says("1.00"), says("2.00")], gl_code=chart.ACCOUNTS_RECEIVABLE)
        return len(captured)

    few = customers(2)
    services.post_entries([invoice_draft(c, document_amount="3.00", rate="1.10", on=JAN)
                           for c in few], by=finance)
    close_month(JAN, by=accountant)
    assert counted() == 2

    more = customers(8)
    services.post_entries([invoice_draft(c, document_amount="3.00", rate="1.10", on=FEB)
                           for c in more], by=finance)
    assert counted() == 2


def test_right_after_a_close_the_kept_balances_alone_are_compared(finance, accountant):
    # given January's receivables kept, and nothing posted since
    first, second = customers(2)
    services.post_entries([invoice_draft(first, document_amount="100.00", rate="1.10", on=JAN),
                           invoice_draft(second, document_amount="99.99", rate="1.10", on=JAN)],
                          by=finance)
    close_month(JAN, by=accountant)

    assert balance_differences([says("100.00")], gl_code=chart.ACCOUNTS_RECEIVABLE) == [
        BalanceDifference(second.pk, "EUR", ledger=D("99.99"), sub_ledger=D("100.00"))]
