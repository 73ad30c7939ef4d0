"""Payments test data: invoices issued through billing's issue service (numbered, scheduled,
posted at the day's rate), accounts that always name their currency, rates, sandbox cards."""

from datetime import date
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, InvoiceTax, LineSource
from billing.services.issuing import issue_invoice
from core.actors import Actor
from customers.models import Contact, ContactRole
from ledger.models import ExchangeRate
from payments.gateways import sandbox
from tests.customers.factories import AccountFactory, terms

ON = date(2026, 11, 23)
SUCCESS, DECLINED, EXPIRED = "4242424242424242", "4000000000009995", "4000000000000069"
TIMEOUT, ASYNC = "4000000000000119", "4000000000000077"


def account(*, currency="USD", terms_code="net-30", owner=None, **fields):
    extra = {"owner": owner} if owner is not None else {}
    made = AccountFactory(currency=currency, payment_terms=terms(terms_code), **extra, **fields)
    Contact.objects.create(account=made, name="Payables", email=f"ap{made.pk}@customer.example",
                           role=ContactRole.BILLING)
    return made


def rate(currency: str, value: str, on: date = date(2026, 1, 1)) -> None:
    ExchangeRate.objects.update_or_create(currency=currency, valid_on=on,
                                          defaults={"rate": Decimal(value)})


def issued_invoice(*, account_=None, net=Decimal("100.00"), tax=Decimal("0"), currency=None,
                   on: date = ON) -> Invoice:
    """A one-line invoice (and one tax) issued through billing as the system user."""
    owner = account_ or account(currency=currency or "USD")
    currency = currency or owner.currency
    invoice = Invoice.objects.create(account=owner, currency=currency, subtotal=net,
                                     tax_total=tax, total=net + tax, amount_due=net + tax)
    InvoiceLine.objects.create(invoice=invoice, position=1, source=LineSource.MANUAL,
                               description="Service", quantity=Decimal(1), unit_price=net,
                               amount=net, tax_amount=tax)
    if tax:
        InvoiceTax.objects.create(invoice=invoice, name="VAT", percent=Decimal("20"),
                                  country="US", taxable_amount=net, tax_amount=tax)
    return issue_invoice(invoice=invoice, by=Actor.task("tests"), on=on)


def card_token(number: str = SUCCESS) -> str:
    """What the hosted field hands back for a test card."""
    return sandbox.tokenize(number=number, exp_month=12, exp_year=2030, cvc="123").token
