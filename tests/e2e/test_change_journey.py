"""One deal's changes in Debian's Chromium, with the same figures on every page and document:
an active contract (5 monthly seats at $127.50 from 1 December 2026, billed on the 1st) is
amended to 8 seats from 15 March 2027; the customer reads the change on their link and accepts;
the amendment page and the contract's schedule show the same rows; the invoice run bills them;
a termination previews its credit and the contract shows the same stored credit; the next run
issues it as a credit note on May's invoice (nothing else is due), with the same amount."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from billing.models import Invoice
from catalog.demo import seed_catalog
from contracts.models import Termination
from orders.models import Order
from tests.conftest import reseed_migration_data
from tests.contracts.factories import active_contract
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contract(sales_rep, finance):
    reseed_migration_data()
    seed_catalog()
    return active_contract(sales_rep, by=finance)


def text(locator) -> str:
    return re.sub(r"\s+", " ", locator.inner_text())


def invoice_run(page, live_server, as_of: str) -> None:
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=Invoice runs")
    page.fill("input[name=as_of]", as_of)
    page.click("button:has-text('Start run')")
    page.locator("#run-progress").get_by_text("Completed").wait_for()


def amend_to_eight_seats(rep, live_server, contract) -> None:
    rep.goto(f"{live_server.url}/contracts/{contract.pk}/")
    rep.fill("input[name=effective_on] >> nth=0", "2027-03-15")
    rep.click("button:has-text('Start an amendment')")
    rep.wait_for_url(re.compile(r"/quotes/\d+/"))
    quantity = rep.get_by_label("Quantity of line 1")
    quantity.fill("8")
    quantity.press("Tab")
    rep.wait_for_load_state("networkidle")
    rep.get_by_role("button", name="Submit").click()
    rep.locator("h1 .badge", has_text="Approved").wait_for()
    rep.get_by_role("button", name="Send to buyer@acme.example").click()
    rep.locator("h1 .badge", has_text="Sent").wait_for()


def test_an_amendment_and_a_termination_show_the_same_figures_everywhere(
        new_page, live_server, sales_rep, finance, contract):
    rep = sign_in(new_page(), live_server, sales_rep)
    money_desk = sign_in(new_page(), live_server, finance)

    # given the rep amends the contract to 8 seats from 15 March and sends it
    amend_to_eight_seats(rep, live_server, contract)

    # when the customer opens the emailed link, the change and its cost are on the page
    message = [m for m in mail.outbox if m.to == ["buyer@acme.example"]
               and "portal/quotes" in m.body][-1]  # the first is the original quote's
    link = re.search(r"https?://\S+/portal/quotes/\S+/", message.body).group(0)
    buyer = new_page()
    buyer.goto(link)
    document = text(buyer.locator("[aria-label=Amendment]"))
    assert f"Amendment to contract {contract.number}" in document
    for figure in ["5 → 8", "$127.50 → $204.00", "−$69.92", "$111.87", "$41.95",
                   "−$1,089.92", "$1,743.87", "$653.95", "$127.50 → $204.00 a month",
                   "1 March 2027", "$57.58", "15 March 2027", "1 April 2027", "$204.00"]:
        assert figure in document, figure
    buyer.get_by_label("Your full name").fill("Ada Buyer")
    buyer.get_by_label("Your job title").fill("CFO")
    buyer.get_by_label("I have read this quote and accept it").check()
    buyer.get_by_role("button", name="Accept quote").click()
    buyer.get_by_role("heading", name="Thank you, Ada Buyer").wait_for()

    # then the applied amendment reads the same figures from the rows it stored
    rep.goto(f"{live_server.url}/contracts/{contract.pk}/")
    rep.click("[aria-label=Amendments] >> a >> nth=0")
    applied = text(rep.locator("[aria-label=Changes]"))
    for figure in ["Applied on", "5 → 8", "−$69.92", "$111.87", "$653.95", "$57.58"]:
        assert figure in applied, figure

    # and the contract's schedule holds those rows
    rep.goto(f"{live_server.url}/contracts/{contract.pk}/")
    schedule = text(rep.locator("[aria-label='Charge schedule']"))
    assert "2027-03-01 – 2027-03-14" in schedule and "$57.58" in schedule
    assert "2027-03-15 – 2027-03-31" in schedule and "$111.87" in schedule

    # when finance records the added seats' delivery (the amendment's order) and bills
    # through 1 May, the invoice carries the same rows
    order = Order.objects.filter(contract=contract).order_by("-pk").first()
    money_desk.goto(f"{live_server.url}/orders/{order.pk}/")
    money_desk.click("button:has-text('Record fulfilment')")
    money_desk.wait_for_load_state("domcontentloaded")
    invoice_run(money_desk, live_server, "2027-05-01")
    invoice = Invoice.objects.get(account=contract.account)
    seat_lines = {(line.period_start, line.amount) for line in invoice.lines.all()}
    assert (date(2027, 3, 1), Decimal("57.58")) in seat_lines
    assert (date(2027, 3, 15), Decimal("111.87")) in seat_lines
    assert (date(2027, 5, 1), Decimal("204.00")) in seat_lines
    money_desk.goto(f"{live_server.url}/billing/invoices/{invoice.pk}/")
    invoice_page = text(money_desk.locator("main"))
    assert "$57.58" in invoice_page and "$111.87" in invoice_page

    # and terminates from 20 May: the form previews the credit before it is confirmed
    money_desk.goto(f"{live_server.url}/contracts/{contract.pk}/")
    money_desk.fill("#id_effective_on_terminate", "2027-05-20")
    money_desk.locator("#id_effective_on_terminate").dispatch_event("change")
    preview = money_desk.locator("#termination-preview")
    preview.get_by_text("Credit: $78.97").wait_for()
    assert "12 days not served" in text(preview)
    assert "credited on the next invoice" in text(preview).lower()
    money_desk.fill("textarea[name=reason]", "Closed down")
    money_desk.click("button:has-text('Terminate the contract')")
    money_desk.wait_for_load_state("domcontentloaded")

    # then the contract shows the stored credit, the same amount
    termination = text(money_desk.locator("[aria-label=Termination]"))
    assert "credit, on the next invoice $78.97" in termination.lower()
    assert Termination.objects.get(contract=contract).credit_amount == Decimal("78.97")

    # and once May's invoice is issued, the next run credits those days on it: a credit note
    # of the same amount, never a negative invoice
    money_desk.on("dialog", lambda dialog: dialog.accept())
    money_desk.goto(f"{live_server.url}/billing/invoices/{invoice.pk}/")
    money_desk.click("button:has-text('Issue')")
    money_desk.wait_for_load_state("domcontentloaded")
    invoice_run(money_desk, live_server, "2027-05-20")
    money_desk.goto(f"{live_server.url}/billing/invoices/{invoice.pk}/")
    notes = text(money_desk.locator("[aria-label='Credit notes']"))
    assert "$78.97" in notes
    assert not Invoice.objects.filter(account=contract.account, total__lt=0).exists()

