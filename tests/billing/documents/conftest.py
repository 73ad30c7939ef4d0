"""Issued invoices built through billing core's services, on an account taxed at two VAT rates;
documents stored under a temporary media root."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing.services.drafts import add_manual_charge, create_manual_invoice
from billing.services.issuing import issue_invoice
from tests.catalog.factories import TaxCategoryFactory, TaxRateFactory
from tests.customers.factories import AccountFactory, ContactFactory

ON = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def vat(db):
    """VAT in GB: 20% in general, 5% on the "reduced" category."""
    reduced = TaxCategoryFactory(code="reduced", name="Reduced")
    TaxRateFactory(name="VAT", country="GB", percent=D(20))
    TaxRateFactory(name="VAT", country="GB", percent=D(5), category=reduced)


def gb_account(owner=None, **kwargs):
    kwargs.setdefault("currency", "USD")
    if owner:
        kwargs["owner"] = owner
    account = AccountFactory(country="GB", **kwargs)
    ContactFactory(account=account, name="Ada Billing", email="ada@customer.example")
    return account


def issue(finance, account, charges=(("Seats", "100.00", ""), ("Support", "50.00", "reduced")),
          on=ON):
    """Issue a manual invoice with (description, net, tax category) charges."""
    invoice = create_manual_invoice(account=account, by=finance)
    for description, amount, category in charges:
        add_manual_charge(invoice=invoice, by=finance, description=description,
                          quantity=D(1), unit_price=D(amount), tax_category=category, on=on)
    return issue_invoice(invoice=invoice, by=finance, on=on)


@pytest.fixture
def issued(finance, vat, sales_rep):
    """Seats 100.00 + VAT 20.00, support 50.00 + VAT 2.50: total 172.50, owned by rep A."""
    return issue(finance, gb_account(owner=sales_rep))
