"""Who sees which invoices, and which are open for an account."""

from decimal import Decimal as D

import pytest

from billing.selectors import invoice_for_update, invoices_visible_to, open_invoices_for
from billing.services import apply_payment
from tests.billing.factories import ON, issued_invoice_row
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_sales_roles_see_invoices_of_their_visible_accounts_only(
        sales_rep, teammate_rep, sales_manager, other_rep, finance, accountant, catalog_admin):
    mine = issued_invoice_row(account=AccountFactory(owner=sales_rep))
    teammates = issued_invoice_row(account=AccountFactory(owner=teammate_rep))
    others = issued_invoice_row(account=AccountFactory(owner=other_rep))

    assert set(invoices_visible_to(sales_rep)) == {mine}
    assert set(invoices_visible_to(sales_manager)) == {mine, teammates}
    assert set(invoices_visible_to(finance)) == {mine, teammates, others}
    assert set(invoices_visible_to(accountant)) == {mine, teammates, others}
    assert not invoices_visible_to(catalog_admin).exists()


def test_open_invoices_are_those_with_money_due_in_the_currency_asked(finance):
    account = AccountFactory(currency="USD")
    usd = issued_invoice_row(account=account, total=D("10.00"))
    eur = issued_invoice_row(account=account, total=D("10.00"), currency="EUR")
    paid = issued_invoice_row(account=account, total=D("10.00"))
    apply_payment(invoice=paid, amount=D("10.00"), by=finance, on=ON)
    issued_invoice_row(total=D("10.00"))  # another customer's

    assert list(open_invoices_for(account)) == [usd, eur]
    assert list(open_invoices_for(account, currency="usd")) == [usd]


def test_invoice_for_update_returns_the_row(finance):
    invoice = issued_invoice_row()
    assert invoice_for_update(invoice.pk) == invoice
