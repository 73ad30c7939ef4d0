"""The portal shows the customer where they are (review 2026-12, gap 8): after accepting, the
steps quote accepted → contract to sign → countersigned → invoice to pay, with whose turn."""

import re

import pytest
from django.urls import reverse

from billing.models import Invoice, InvoiceState
from contracts.models import ContractTemplate
from customers.models import DocumentDelivery
from q2c.journey import Step, journey
from quotes.services.sending import quote_link_token
from tests.contracts.factories import countersigned_contract, sent_quote

pytestmark = pytest.mark.django_db


def steps(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-status="(\w+)"><strong>([^<]+)</strong>', html)


def accept(client, quote):
    return client.post(reverse("portal:quote_accept", args=[quote_link_token(quote)]),
                       {"name": "Ada Buyer", "title": "CFO", "consent": "on"})


def test_after_accepting_the_customer_sees_the_contract_comes_next(client, sales_rep,
                                                                    settings):
    settings.COMPANY_NAME = "Northwind Software GmbH"
    ContractTemplate.objects.create(name="Signed apart", is_default=True, body="Terms.")
    response = accept(client, sent_quote(sales_rep))

    assert 'data-testid="brand"><strong>Northwind Software GmbH</strong>' in (
        response.content.decode())  # the seller's letterhead on the customer's pages
    assert steps(response.content.decode()) == [
        ("done", "Quote accepted"), ("waiting", "Contract to sign"),
        ("later", "Countersigned by us"), ("later", "Invoice to pay")]


def test_when_acceptance_signs_the_customer_sees_the_contract_signed(client, sales_rep):
    ContractTemplate.objects.create(name="Click to sign", is_default=True, body="Terms.",
                                    acceptance_signs=True)
    response = accept(client, sent_quote(sales_rep))

    assert steps(response.content.decode()) == [
        ("done", "Quote accepted"), ("done", "Contract signed"),
        ("waiting", "Countersigned by us"), ("later", "Invoice to pay")]


@pytest.mark.parametrize("delivery, note", [
    (DocumentDelivery.EMAIL, "was emailed to your billing contact"),
    (DocumentDelivery.PORTAL, "is in your customer portal"),
    (DocumentDelivery.POST, "was posted to your billing address")])
def test_the_invoice_step_says_where_the_invoice_went(sales_rep, finance, delivery, note):
    contract = countersigned_contract(sales_rep, by=finance)
    Invoice.objects.create(account=contract.account, currency="USD", number="INV-7", total=100,
                           amount_due=100, state=InvoiceState.ISSUED, delivery=delivery,
                           issue_on=contract.created_at.date())

    assert journey(contract=contract)[-1] == Step("Invoice to pay", "now", f"Invoice INV-7 {note}.")
