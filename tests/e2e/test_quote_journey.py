"""The quote's whole journey in Debian's Chromium: a rep builds a quote with a discount and sees
the totals update live, submits it; finance approves; the rep sends it; the customer opens the
link from the email and accepts; the quote's timeline shows every step and who took it."""

import re

import pytest
from django.core import mail

from catalog.demo import seed_catalog
from quotes.models import Quote, QuoteState
from tests.conftest import reseed_migration_data
from tests.customers.factories import AccountFactory, ContactFactory
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
@pytest.fixture
def customer(sales_rep):
    reseed_migration_data()
    seed_catalog()
    account = AccountFactory(owner=sales_rep, name="Acme Widgets", currency="USD")
    return ContactFactory(account=account, name="Ada Buyer", email="ada@acme.example")


def build_and_submit(page, live_server) -> int:
    page.goto(f"{live_server.url}/quotes/new/")
    page.select_option("#id_account", label="Acme Widgets")
    page.select_option("#id_contact", label="Ada Buyer (Acme Widgets)")
    page.get_by_role("button", name="Create quote").click()
    page.wait_for_url(re.compile(r"/quotes/\d+/"))
    pk = int(re.search(r"/quotes/(\d+)/", page.url).group(1))

    page.get_by_placeholder("Search the catalog by name or SKU").fill("User seat")
    result = page.locator("#catalog-rows tr", has_text="User seat")
    result.get_by_label("Quantity of User seat").fill("10")
    result.get_by_role("button", name="Add").click()
    totals = page.locator("#quote-totals")
    totals.locator("[data-total=tcv]").filter(has_text="$3,240.00").wait_for()

    # The discount goes over Finance's 20% threshold; totals recalculate without a reload.
    page.evaluate("window.__not_reloaded = true")
    discount = page.get_by_label("Discount % of line 1")
    discount.fill("25")
    discount.press("Tab")
    totals.locator("[data-total=discount]").filter(has_text="$810.00").wait_for()
    assert totals.locator("[data-total=monthly]").inner_text() == "$202.50"
    assert totals.locator("[data-total=tcv]").inner_text() == "$2,430.00"
    assert page.evaluate("window.__not_reloaded") is True

    page.get_by_role("button", name="Submit").click()
    page.locator("h1 .badge", has_text="Pending approval").wait_for()
    return pk


def test_a_quote_goes_from_builder_to_customer_acceptance(new_page, live_server, sales_rep,
                                                          finance, customer):
    # given a rep who builds and submits a discounted quote
    rep = sign_in(new_page(), live_server, sales_rep)
    pk = build_and_submit(rep, live_server)
    detail = f"{live_server.url}/quotes/{pk}/"

    # when finance approves it
    approver = sign_in(new_page(), live_server, finance)
    approver.goto(detail)
    approver.get_by_role("button", name="Approve").click()
    approver.locator("h1 .badge", has_text="Approved").wait_for()

    # and the rep sends it
    rep.goto(detail)
    rep.get_by_role("button", name="Send to ada@acme.example").click()
    rep.locator("h1 .badge", has_text="Sent").wait_for()

    # and the customer opens the emailed link, reads the PDF and accepts
    [message] = [m for m in mail.outbox if m.to == ["ada@acme.example"]]  # others: approvals
    assert message.attachments
    link = re.search(r"https?://\S+/portal/quotes/\S+/", message.body).group(0)
    buyer = new_page()
    buyer.goto(link)
    assert buyer.locator("[data-testid=tcv]").inner_text() == "$2,430.00"
    assert buyer.locator("iframe.portal-pdf").count() == 1
    buyer.get_by_label("Your full name").fill("Ada Buyer")
    buyer.get_by_label("Your job title").fill("CFO")
    buyer.get_by_label("I have read this quote and accept it").check()
    buyer.get_by_role("button", name="Accept quote").click()
    buyer.get_by_role("heading", name="Thank you, Ada Buyer").wait_for()

    # then the quote is accepted and its timeline shows each step and who took it
    quote = Quote.objects.get(pk=pk)
    assert quote.state == QuoteState.ACCEPTED
    assert (quote.signer_name, quote.signer_title, quote.signer_ip) == (
        "Ada Buyer", "CFO", "127.0.0.1")
    assert quote.signed_pdf_sha256 == quote.sent_pdf_sha256
    rep.goto(detail)
    history = rep.locator(".timeline li")
    steps = [re.split(r" \d{4}-\d{2}-\d{2}", text)[0] for text in history.all_inner_texts()]
    assert steps == [
        f"Pending approval Submit by {sales_rep.get_full_name()}",
        f"Approved Approve by {finance.get_full_name()}",
        f"Sent Send by {sales_rep.get_full_name()}",
        "Accepted Accept by Ada Buyer (customer, 127.0.0.1)",
    ]
    assert quote.signed_pdf_sha256 in history.last.inner_text()
