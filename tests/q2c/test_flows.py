"""The journey through the hand-offs, as a customer and the staff live it: a quote accepted
through its link becomes a contract, sent as a PDF, signed through the portal, countersigned
(which orders it through the credit check) and activated on its start date; then amended and
renewed."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractState, LineStatus
from contracts.tasks import activate_due_contracts_task, process_renewals_task
from core.transitions import history_for
from orders.models import Order, OrderState
from q2c import flows
from quotes import services as quote_services
from quotes.models import QuoteKind
from quotes.services.sending import quote_link_token
from revrec.models import RevenueContract
from tests.conftest import PASSWORD
from tests.contracts.factories import ON, START, accepted_quote, active_contract

pytestmark = pytest.mark.django_db


def accept(quote, on=ON):
    quote.refresh_from_db()
    return flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                                   signer_title="CFO", consent=True, ip="203.0.113.9",
                                   user_agent="pytest", on=on)


@pytest.mark.real_pdf
def test_accepted_quote_to_active_contract_and_approved_order(client, sales_rep, finance,
                                                              django_capture_on_commit_callbacks,
                                                              time_machine):
    # given: the customer accepted the quote, which drafted the contract
    contract = Contract.objects.get(quote=accepted_quote(sales_rep))

    # when: the rep sends it; the customer gets the PDF and the link (signed links carry the
    # second they were made: the clock stands still so the one rebuilt below is the same)
    time_machine.move_to(timezone.now(), tick=False)
    client.login(username=sales_rep.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contracts:send", args=[contract.pk]))
    contract.refresh_from_db()
    [email] = [m for m in mail.outbox if "please sign" in m.subject]
    [(name, pdf, kind)] = email.attachments
    assert (name, kind) == (f"{contract.number}.pdf", "application/pdf")
    assert hashlib.sha256(pdf).hexdigest() == contract.document_sha256
    link = services.contract_link_url(contract, "http://testserver/")  # the sending host
    assert link in email.body and email.to == ["buyer@acme.example"]
    client.logout()

    # when: the customer reads the exact PDF sent and signs through the portal
    token = services.contract_link_token(contract)
    served = client.get(reverse("contract_flows:sign_pdf", args=[token]))
    assert served.content == pdf
    response = client.post(reverse("contract_flows:sign", args=[token]),
                           {"name": "Ada Buyer", "title": "CFO", "consent": "on"},
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    assert contract.signed_document_sha256 == hashlib.sha256(pdf).hexdigest()

    # when: finance countersigns before the start date
    client.login(username=finance.username, password=PASSWORD)
    client.post(reverse("contract_flows:countersign", args=[contract.pk]))

    # then: the order exists, credit checked; the contract waits for its start date
    contract.refresh_from_db()
    order = Order.objects.get(contract=contract)
    assert order.state == OrderState.APPROVED
    assert order.lines.count() == contract.lines.count()
    assert contract.state == ContractState.SIGNED and contract.is_countersigned

    # when: the daily task runs on the start date, twice
    time_machine.move_to("2026-12-01 00:30 +00:00")
    assert activate_due_contracts_task.delay().get() == 1
    assert activate_due_contracts_task.delay().get() == 0

    # then
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE and contract.activated_on == START
    assert set(contract.lines.values_list("status", flat=True)) == {LineStatus.ACTIVE}
    activation = [h for h in history_for(contract) if h.transition == "activate"]
    assert [(h.actor_kind, h.actor_name) for h in activation] == [
        ("system", "activate_due_contracts")]


def test_countersigning_after_the_start_date_activates_and_orders_at_once(sales_rep,
                                                                           finance):
    from tests.contracts.factories import signed_contract

    contract = signed_contract(sales_rep)

    contract = flows.countersign_contract_flow(contract=contract, by=finance, on=START)

    assert contract.state == ContractState.ACTIVE
    assert Order.objects.filter(contract=contract).count() == 1
    # revenue recognition starts with the contract: its revenue contract exists at once
    revenue = RevenueContract.objects.get(contract=contract)
    assert revenue.obligations.count() == contract.lines.count()


def test_a_user_activating_from_the_start_date_starts_revenue_recognition(sales_rep, finance):
    from tests.contracts.factories import countersigned_contract

    contract = countersigned_contract(sales_rep, by=finance)  # starts after ON

    contract = flows.activate_contract_flow(contract=contract, by=finance, on=START)

    assert contract.state == ContractState.ACTIVE
    assert RevenueContract.objects.filter(contract=contract).count() == 1


def test_accepting_an_amendment_amends_the_contract_and_orders_the_new_lines(sales_rep,
                                                                            finance):
    # given: an active contract ordered at countersignature
    contract = Contract.objects.get(quote=accepted_quote(sales_rep))
    contract = services.send_for_signature(contract=contract, by=sales_rep, on=ON)
    from tests.contracts.factories import CUSTOMER

    services.sign(contract=contract, by=CUSTOMER, title="CFO", consent=True, on=ON)
    contract = flows.countersign_contract_flow(contract=contract, by=finance, on=START)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=date(2027, 3, 15), on=ON)
    quote = amendment.quote
    quote_services.update_line(line=quote.lines.get(), by=sales_rep, quantity=Decimal(8))
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)
    quote_services.send_quote(quote=quote, by=sales_rep, on=ON)

    # when
    accept(quote)

    # then
    amendment.refresh_from_db()
    [new_line] = amendment.new_lines.all()
    orders = list(Order.objects.filter(contract=contract).order_by("pk"))
    assert len(orders) == 2
    assert [line.contract_line for line in orders[1].lines.all()] == [new_line]
    assert Contract.objects.count() == 1  # an amendment never makes a contract


def test_accepting_a_renewal_quote_drafts_the_renewal_and_the_old_one_is_renewed_at_its_end(
        sales_rep, finance, time_machine):
    # given: the renewal run made the renewal quote inside the notice window
    contract = active_contract(sales_rep, by=finance)
    time_machine.move_to("2027-10-01 01:00 +00:00")
    process_renewals_task.delay().get()
    renewal = contract.renewal
    quote = renewal.quote
    assert (quote.kind, quote.owner, quote.start_on) == (QuoteKind.RENEWAL, sales_rep,
                                                        date(2027, 12, 1))
    quote_services.submit_for_approval(quote=quote, by=sales_rep)
    quote_services.send_quote(quote=quote, by=sales_rep)

    # when: the customer accepts it
    accept(quote, on=date(2027, 10, 1))

    # then: the renewal contract is drafted; at the end the old one is renewed, not expired
    new = Contract.objects.get(renews=contract)
    assert (new.quote, new.state, new.start_on, new.end_on) == (
        quote, ContractState.DRAFT, date(2027, 12, 1), date(2028, 11, 30))
    time_machine.move_to("2027-12-01 01:00 +00:00")
    process_renewals_task.delay().get()
    contract.refresh_from_db()
    assert (contract.state, contract.ended_on) == (ContractState.RENEWED, date(2027, 11, 30))
    assert Contract.objects.filter(renews=contract).count() == 1
    assert not contract.lines.exclude(status=LineStatus.ENDED).exists()


def test_an_imported_contract_is_amended_and_its_new_line_ordered(sales_rep, finance):
    # given: a contract from the previous system (never countersigned here)
    from catalog.demo import seed_catalog
    from tests.customers.factories import AccountFactory, ContactFactory

    seed_catalog()
    account = AccountFactory(name="Initech", owner=sales_rep, currency="USD")
    ContactFactory(account=account, name="Bill L", email="bill@initech.example")
    [contract] = services.import_contracts(by=finance, data=(
        b"reference,account,owner,currency,start_on,end_on,payment_terms,auto_renew,"
        b"renewal_term_months,uplift_percent,renewal_notice_days,sku,quantity,billing_period,"
        b"unit_price,discount_percent\n"
        b"OLD-7,Initech,rep_a,USD,2026-01-01,2026-12-31,net-30,yes,12,0,30,SEAT-USER,10,"
        b"monthly,30,0\n"))
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=date(2026, 12, 1), on=ON)
    quote = amendment.quote
    quote_services.update_line(line=quote.lines.get(), by=sales_rep, quantity=Decimal(12))
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)
    quote_services.send_quote(quote=quote, by=sales_rep, on=ON)

    # when
    accept(quote)

    # then: December runs at 12 seats, and the new line is ordered (the contract is active,
    # though it was never countersigned here)
    amendment.refresh_from_db()
    assert amendment.prorated_total == Decimal("60.00")  # 1 period × (360 − 300)
    new_line = amendment.new_lines.get()
    assert new_line.quantity == Decimal(12)
    order = Order.objects.get(contract=contract)
    assert [line.contract_line for line in order.lines.all()] == [new_line]
