"""Revrec test data built through the earlier stages' services: contracts through contracts and
q2c flows, orders through orders; invoices as billing issues them (rows and the journal entry
billing posts: receivable against deferred revenue for every line)."""

from datetime import date
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, InvoiceState, LineSource
from catalog.demo import seed_catalog
from contracts import services as contract_services
from contracts.models import Contract
from core.actors import Actor
from core.money import round_money
from core.numbering import next_number
from ledger import chart
from ledger.services import EntryDraft, LineDraft, post_entry
from q2c import flows
from quotes import services as quote_services
from quotes.services.sending import quote_link_token
from revrec.models import RevenueContract
from revrec.services import create_revenue_contracts
from tests.contracts.factories import CUSTOMER, ON, START, active_contract
from tests.customers.factories import AccountFactory, ContactFactory

__all__ = ["ON", "START", "active_contract", "active_contract_of", "invoice_lines",
           "ordered_contract_of", "revenue_contract_of"]



def system() -> Actor:
    return Actor.task("tests")


def revenue_contract_of(contract, *, on: date = START):
    create_revenue_contracts(contract_ids=[contract.pk], by=system(), on=on)
    return RevenueContract.objects.get(contract=contract, kind="original")


def invoice_lines(account, charges, *, issue_on: date, currency: str = "USD",
                  fx_rate: Decimal = Decimal(1)) -> Invoice:
    """An issued invoice of (contract line, amount) charges, posted as billing posts it."""
    subtotal = sum((amount for _, amount in charges), Decimal(0))
    functional = round_money(subtotal * fx_rate, "USD")
    number = next_number(f"test-invoice-{issue_on.year}")
    invoice = Invoice.objects.create(
        number=f"TST-{issue_on.year}-{number:06d}", account=account, currency=currency,
        state=InvoiceState.ISSUED, issue_on=issue_on, due_on=issue_on, subtotal=subtotal,
        total=subtotal, amount_due=subtotal, functional_currency="USD", fx_rate=fx_rate,
        functional_total=functional)
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, position=n, source=LineSource.RECURRING, contract_line=line,
                    product=line.product, description=line.product.name, quantity=1,
                    unit_price=amount, amount=amount)
        for n, (line, amount) in enumerate(charges, 1)])
    post_entry(EntryDraft(document_date=issue_on, memo=f"Invoice {invoice.number}",
                          source=invoice, lines=[
                              LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=functional,
                                        customer_account_id=account.pk,
                                        document_currency=currency, document_amount=subtotal,
                                        rate=fx_rate),
                              LineDraft(chart.DEFERRED_REVENUE, credit=functional)]),
               by=system())
    return invoice


def active_contract_of(owner, *, by, items) -> Contract:
    """An active USD contract from START for `items` (quotes.services.LineItem), through the
    quote, acceptance, signature, countersignature and activation services."""
    contract = contract_services.countersign(contract=signed_contract_of(owner, items=items),
                                             by=by, on=ON)
    return contract_services.activate(contract=contract, by=by, on=START)


def ordered_contract_of(owner, *, by, items) -> Contract:
    """As `active_contract_of`, but countersigned through the flow on START, which makes the
    order (to be fulfilled) and activates the contract; the caller's clock is on START."""
    return flows.countersign_contract_flow(contract=signed_contract_of(owner, items=items),
                                           by=by, on=START)


def signed_contract_of(owner, *, items) -> Contract:
    """A USD contract from START for `items`, signed by the customer."""
    seed_catalog()
    account = AccountFactory(owner=owner, name=f"Usage of {owner.username}", currency="USD")
    contact = ContactFactory(account=account, name="Ada Buyer", email="buyer@usage.example")
    quote = quote_services.create_quote(by=owner, account=account, contact=contact,
                                        start_on=START, term_months=12,
                                        expires_on=date(2026, 12, 31), on=ON)
    quote_services.add_lines(quote=quote, by=owner, items=items)
    quote_services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote_services.send_quote(quote=quote, by=owner, on=ON)
    quote.refresh_from_db()
    flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                            signer_title="CFO", consent=True, ip="203.0.113.9",
                            user_agent="pytest", on=ON)
    contract = Contract.objects.get(quote=quote)
    contract = contract_services.send_for_signature(contract=contract, by=owner, on=ON)
    return contract_services.sign(contract=contract, by=CUSTOMER, title="CFO", consent=True,
                                  user_agent="pytest", on=ON)
