"""Revrec test data built through the earlier stages' services: contracts through contracts and
q2c flows, orders through orders; invoices as billing issues them (rows and the journal entry
billing posts: receivable against deferred revenue for every line)."""

from datetime import date
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, InvoiceState, LineSource
from core.actors import Actor
from core.money import round_money
from core.numbering import next_number
from ledger import chart
from ledger.services import EntryDraft, LineDraft, post_entry
from revrec.services import create_revenue_contracts
from tests.contracts.factories import ON, START, active_contract

__all__ = ["ON", "START", "active_contract", "invoice_lines", "revenue_contract_of"]



def system() -> Actor:
    return Actor.task("tests")


def revenue_contract_of(contract, *, on: date = START):
    create_revenue_contracts(contract_ids=[contract.pk], by=system(), on=on)
    from revrec.models import RevenueContract

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
