"""Each of the close checklist's three ties names a one-cent difference on one customer among
many, and only that one (issue 23: the ties compare in the database and bring back only the
differences; what they find must not change)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Account
from ledger import chart
from ledger.services import EntryDraft, LineDraft, post_entry
from payments.services import record_payment
from revrec.checklist import close_checklist
from revrec.selectors import contract_assets_of
from tests.payments.factories import account, issued_invoice, rate
from tests.revrec.factories import active_contract, revenue_contract_of, system
from tests.revrec.test_material_rights import run

pytestmark = pytest.mark.django_db
OCT, DEC = date(2026, 10, 1), date(2026, 12, 1)
MANY = 5


def check(key, month=OCT):
    return next(found for found in close_checklist(month) if found.key == key)


def cent_by_hand(code, customer, currency="USD", *, debit=False):
    """0.01 moved on a customer's `code` by hand (against revenue), in `currency` at 1."""
    side = {"debit" if debit else "credit": D("0.01")}
    other = {"credit" if debit else "debit": D("0.01")}
    return post_entry(EntryDraft(document_date=date(2026, 10, 20), memo="Tidy a cent", lines=[
        LineDraft(code, customer_account_id=customer.pk, document_currency=currency,
                  document_amount=D("0.01") if debit else D("-0.01"), rate=D(1), **side),
        LineDraft(chart.REVENUE, **other)]), by=system())


def test_a_receivable_cent_on_one_customer_among_many_is_named():
    customers = [account(name=f"Customer {n}") for n in range(MANY)]
    invoices = [issued_invoice(account_=c, net=D("100.00"), on=date(2026, 10, 5))
                for c in customers]
    assert check("receivables").done

    entry = cent_by_hand(chart.ACCOUNTS_RECEIVABLE, customers[2])

    found = check("receivables")
    assert not found.done
    assert found.detail == (f"Customer 2 USD: ledger 99.99, open invoices 100.00 (open invoices "
                            f"{invoices[2].number}; entries outside a document "
                            f"{entry.reference})")


def test_a_customer_credit_cent_on_one_customer_among_many_is_named(finance):
    rate("EUR", "1.10")
    customers = [account(currency="EUR", name=f"Customer {n}") for n in range(MANY)]
    for customer in customers:
        record_payment(account=customer, method="wire", amount="70.00", currency="EUR",
                       received_on=date(2026, 10, 5), by=finance)
    assert check("customer_credits").done

    cent_by_hand(chart.CUSTOMER_CREDITS, customers[3], "EUR", debit=True)

    found = check("customer_credits")
    assert not found.done
    assert found.detail == ("Customer 3 EUR: ledger 69.99, unapplied cash and credit owed back "
                            "70.00")


def test_an_unbilled_cent_on_one_customer_among_many_is_named(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    contracts = [revenue_contract_of(active_contract(sales_rep, by=finance))
                 for _ in range(3)]
    for n, rc in enumerate(contracts):
        Account.objects.filter(pk=rc.account_id).update(name=f"Customer {n}")
    run(DEC, accountant, django_capture_on_commit_callbacks)
    assert check("unbilled", DEC).done

    entry = cent_by_hand(chart.UNBILLED_RECEIVABLE, contracts[1].account)

    found = check("unbilled", DEC)
    [(number, asset)] = contract_assets_of(contracts[1].account_id)
    assert not found.done
    assert found.detail == (f"Customer 1 USD: ledger {asset - D('0.01')}, recognized not yet "
                            f"billed {asset} (revenue contracts {number} {asset}; entries "
                            f"outside revenue recognition {entry.reference})")


def test_the_ties_cost_the_same_queries_for_one_customer_or_many_and_a_difference():
    def counted() -> int:
        close_checklist(OCT)  # content types cached, as on any page after the first
        with CaptureQueriesContext(connection) as captured:
            close_checklist(OCT)
        return len(captured)

    first = account(name="Customer 0")
    issued_invoice(account_=first, net=D("100.00"), on=date(2026, 10, 5))
    one = counted()
    for n in range(1, MANY):
        issued_invoice(account_=account(name=f"Customer {n}"), net=D("100.00"),
                       on=date(2026, 10, 5))
    # 27 with the month's recognition run (none here, so nothing left to recognize is asked)
    assert counted() == one == 26

    # a difference adds the customers' names and the documents behind it (three queries)
    cent_by_hand(chart.ACCOUNTS_RECEIVABLE, first)
    assert counted() == one + 3
