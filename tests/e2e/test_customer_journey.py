"""The customer's side, end to end in Debian's Chromium on the test server's own port (never
8000), as issue 16's "done when" walks it: the rep sends a quote; the customer accepts it, which
signs the contract under a template that says so; the rep sees it in the inbox; finance
countersigns from the inbox and records the order's fulfilment; the invoice is issued and its
email (PDF and pay link) is in the outbox; the customer pays through that link."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from djmoney.money import Money

from billing.models import Invoice, InvoiceState
from catalog.demo import seed_catalog
from catalog.models import Product
from contracts.models import Contract, ContractState, ContractTemplate
from orders.models import Order
from quotes import services as quote_services
from tests.conftest import reseed_migration_data
from tests.customers.factories import AccountFactory, ContactFactory
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TODAY = date(2026, 11, 23)  # the tests' business date: the deal starts today


@pytest.fixture
def approved_quote(sales_rep):
    reseed_migration_data()
    seed_catalog()
    ContractTemplate.objects.create(name="Click to sign", is_default=True, body="Terms.",
                                    acceptance_signs=True)
    account = AccountFactory(owner=sales_rep, name="Acme Widgets", currency="USD",
                             credit_limit=Money(Decimal("100000.00"), "USD"))
    contact = ContactFactory(account=account, name="Ada Buyer", email="ada@acme.example")
    quote = quote_services.create_quote(by=sales_rep, account=account, contact=contact,
                                        start_on=TODAY, term_months=12,
                                        expires_on=date(2026, 12, 31), on=TODAY)
    quote_services.add_lines(quote=quote, by=sales_rep, items=[quote_services.LineItem(
        product=Product.objects.get(sku="SEAT-USER"), quantity=Decimal(10),
        billing_period="monthly")])
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=TODAY)
    return quote


def emailed_link(to: str, path: str) -> str:
    bodies = [message.body for message in mail.outbox if to in message.to]
    links = [match.group(0) for body in bodies
             for match in re.finditer(rf"https?://\S+{path}\S+/", body)]
    assert links, f"no {path} link emailed to {to}"
    return links[-1]


def test_quote_to_cash_from_the_customers_side(new_page, live_server, sales_rep, finance,
                                               approved_quote, settings):
    assert not live_server.url.endswith(":8000")
    # Links in emails a page sends follow that page's host and port; the invoices are issued
    # (and emailed) by a background task, whose links follow SITE_URL, as a deployment sets it.
    settings.SITE_URL = live_server.url

    # the rep sends the quote
    rep = sign_in(new_page(), live_server, sales_rep)
    rep.goto(f"{live_server.url}/quotes/{approved_quote.pk}/")
    rep.get_by_role("button", name="Send to ada@acme.example").click()
    rep.locator("h1 .badge", has_text="Sent").wait_for()

    # the customer accepts it through the emailed link, which signs the contract too
    buyer = new_page()
    buyer.goto(emailed_link("ada@acme.example", "/portal/quotes/"))
    assert buyer.url.startswith(live_server.url)
    buyer.get_by_label("Your full name").fill("Ada Buyer")
    buyer.get_by_label("Your job title").fill("CFO")
    buyer.get_by_label("I have read this quote and accept it").check()
    buyer.get_by_role("button", name="Accept quote").click()
    buyer.get_by_role("heading", name="Thank you, Ada Buyer").wait_for()
    contract = Contract.objects.get(quote=approved_quote)
    assert contract.state == ContractState.SIGNED

    # the rep's inbox says so
    rep.goto(f"{live_server.url}/inbox/")
    rep.get_by_role("link", name=f"The customer accepted quote {approved_quote}").wait_for()

    # finance countersigns from the inbox, which activates the contract starting today
    office = sign_in(new_page(), live_server, finance)
    office.goto(f"{live_server.url}/inbox/")
    office.get_by_role("link", name=re.compile(rf"Contract {contract} is signed")).click()
    office.wait_for_url(re.compile(rf"/contracts/{contract.pk}/"))
    office.get_by_role("button", name="Countersign").click()
    office.locator("h1 .badge", has_text="Active").wait_for()

    # finance records the order's fulfilment (seats provisioned), which releases it to billing
    order = Order.objects.get(contract=contract)
    office.goto(f"{live_server.url}/orders/{order.pk}/")
    office.get_by_role("button", name="Record fulfilment").click()
    office.get_by_text("Fulfilled", exact=True).first.wait_for()

    # finance bills it: the account's next bill-day run (the 1st), its draft issued
    office.goto(f"{live_server.url}/billing/runs/")
    office.fill("input[name=as_of]", "2026-12-01")
    office.click("button:has-text('Start run')")
    office.locator("#run-progress").get_by_text("Completed").wait_for()
    office.click("button:has-text('Issue all 1 drafts')")
    office.wait_for_load_state("domcontentloaded")
    invoice = Invoice.objects.get(account=approved_quote.account)
    assert invoice.state == InvoiceState.ISSUED

    # its email, with the PDF, is in the outbox as sent
    office.goto(f"{live_server.url}/inbox/outbox/")
    row = office.locator("[data-testid=delivery]", has_text=str(invoice.number))
    assert "ada@acme.example" in row.inner_text() and "Sent" in row.inner_text()
    assert f"{invoice.number}.pdf" in row.inner_text()

    # and the customer pays through the emailed pay link
    buyer.goto(emailed_link("ada@acme.example", "/pay/"))
    assert buyer.locator("[data-testid=amount-due]").inner_text() == (
        f"${invoice.amount_due:,.2f}")
    buyer.get_by_label("Card number").fill("4242424242424242")
    buyer.get_by_label("Expiry month").fill("12")
    buyer.get_by_label("Expiry year").fill("2030")
    buyer.get_by_label("Security code").fill("123")
    buyer.get_by_role("button", name="Continue").click()
    buyer.get_by_text("ending 4242").wait_for()
    buyer.get_by_label("Name on the card").fill("Ada Buyer")
    buyer.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    buyer.get_by_role("heading", name="Thank you").wait_for()
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID and invoice.amount_due == 0
