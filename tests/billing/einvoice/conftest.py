"""A German seller (settings COMPANY_*), the VAT rates it meets (DE 19 % and 7 %, a zero-rated and
an exempt category, FR 20 %, BE 21 %), tax categories by kind of supply, and customers in
Germany, Belgium, France and Switzerland. Invoices are issued through billing's services."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing.services.drafts import add_manual_charge, create_manual_invoice
from billing.services.issuing import issue_invoice
from ledger.models import ExchangeRate
from tests.catalog.factories import TaxCategoryFactory, TaxRateFactory
from tests.customers.factories import AccountFactory, ContactFactory

ON = date(2026, 11, 23)
DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def german_seller(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMPANY_NAME = "Q2C Software"
    settings.COMPANY_LEGAL_NAME = "Q2C Software GmbH"
    settings.COMPANY_STREET = "Friedrichstraße 100"
    settings.COMPANY_CITY = "Berlin"
    settings.COMPANY_POSTAL_CODE = "10117"
    settings.COMPANY_COUNTRY = "DE"
    settings.COMPANY_VAT_ID = "DE123456788"
    settings.COMPANY_REGISTRATION_ID = "HRB 123456 B"
    settings.COMPANY_IBAN = "DE89 3704 0044 0532 0130 00"
    settings.COMPANY_BIC = "COBADEFFXXX"
    settings.COMPANY_EMAIL = "billing@q2c.example"


@pytest.fixture
def eu_vat(db):
    """SaaS is a digital service, hardware goods, consulting a general service; books 7 % in
    Germany, solar modules zero-rated (§12(3) UStG), training exempt (Art. 132(1)(i))."""
    for code, supply in (("saas", "digital"), ("hardware", "goods"), ("consulting", "services")):
        TaxCategoryFactory(code=code, supply=supply)
    books = TaxCategoryFactory(code="books", supply="goods")
    solar = TaxCategoryFactory(code="solar", supply="goods")
    TaxCategoryFactory(code="training", supply="services",
                       exemption_reason="Exempt education service, Art. 132(1)(i)",
                       exemption_code="VATEX-EU-132-1I")
    TaxRateFactory(name="VAT", country="DE", percent=D(19))
    TaxRateFactory(name="VAT", country="DE", percent=D(7), category=books)
    TaxRateFactory(name="VAT", country="DE", percent=D(0), category=solar)
    TaxRateFactory(name="VAT", country="FR", percent=D(20))
    TaxRateFactory(name="VAT", country="BE", percent=D(21))
    for currency, rate in (("EUR", "1.10"), ("CHF", "1.15"), ("JPY", "0.0068")):
        ExchangeRate.objects.create(currency=currency, valid_on=date(2026, 11, 1), rate=D(rate))


def account(country, name, *, currency="EUR", **kwargs):
    """A customer with an address and a billing contact; its accounts payable's reference is
    what a Peppol invoice quotes when there is no PO (PEPPOL-EN16931-R003)."""
    kwargs.setdefault("buyer_reference", "AP-2026")
    kwargs.setdefault("billing_street", "Hauptstraße 1")
    kwargs.setdefault("billing_city", "Stadt")
    kwargs.setdefault("billing_postal_code", "12345")
    customer = AccountFactory(country=country, name=name, legal_name=name, currency=currency,
                              **kwargs)
    ContactFactory(account=customer, name="Accounts Payable",
                   email=f"ap@{country.lower()}.example")
    return customer


def issue(finance, customer, charges, *, currency="", on=ON, memo=""):
    """Issue a manual invoice with (description, quantity, unit price, tax category) charges,
    each for December."""
    invoice = create_manual_invoice(account=customer, by=finance, currency=currency, memo=memo)
    for description, quantity, price, category in charges:
        add_manual_charge(invoice=invoice, by=finance, description=description,
                          quantity=D(quantity), unit_price=D(price), tax_category=category,
                          period_start=DECEMBER[0], period_end=DECEMBER[1], on=on)
    return issue_invoice(invoice=invoice, by=finance, on=on)
