"""The hand-offs between stages that a person triggers, one transaction each.

Reading this file tells the whole journey: a flow calls the earlier stage's service, then the
later one's, inside one transaction, so a customer's click either moves every stage or none.

- A user sends a quote: quotes sends it; an amendment quote's document is contracts' amendment
  document (what changes, what it costs, the next invoices, from the schedule).
- The customer accepts a sent quote through their link: quotes accepts it; then, by the quote's
  kind, contracts creates the draft contract from it (new business, one per quote), the renewal
  contract (renewal), or amends the contract it was made for (amendment: changed lines end the day
  before the effective date, new lines start on it) and orders takes the new lines. When the
  contract's template says acceptance signs, contracts signs the new contract with the same
  acceptance (the customer signs once; the contract waits for countersignature).
- The customer declines a sent quote through their link: quotes records the reason.
- The customer signs a contract out for signature through their link: contracts records it.
- A user countersigns a signed contract: contracts records it, orders creates the order for every
  line and submits it through the credit check, and contracts activates the contract at once
  when its start date has come (else the daily task activates it from that date).
- A user activates a countersigned contract from its start date.
- Whenever a contract activates or is amended here, revrec gives it its revenue contract (or
  applies the amendment) at once; revrec's hourly task would pick it up too, and finds it done.
- Finance records goods the customer sent back against the invoice line that billed them:
  revrec settles the refund liability and moves the goods' cost to inventory (IFRS 15.B25), and
  billing credits the line for their price, reason "goods returned", so the deferred revenue the
  settlement credited is cleared against the receivable.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import CreditNoteReason
from billing.services.credit_notes import issue_credit_note
from contracts import services as contract_services
from contracts.documents import renewal_document
from contracts.models import Renewal
from contracts.pdf import render_amendment_pdf
from core.actors import Actor
from core.dates import business_date
from orders import services as order_services
from quotes.models import QuoteKind
from quotes.pdf import render_quote_pdf
from quotes.services.sending import accept_quote, decline_quote, quote_for_link, send_quote
from revrec.models import PerformanceObligation
from revrec.services.contracts import create_revenue_contracts
from revrec.services.returns import credit_return, record_return


@transaction.atomic
def send_quote_flow(*, quote, by, on: date | None = None, base_url: str | None = None):
    """Send a quote; an amendment quote is sent as the amendment document (what changes, what
    it costs, the next invoices, from the contract's schedule), a renewal quote with its prices
    against the contract it renews."""
    if quote.kind == QuoteKind.AMENDMENT:
        amendment = contract_services.amendment_for_quote(quote)
        render = lambda _quote: render_amendment_pdf(amendment)  # noqa: E731
    elif quote.kind == QuoteKind.RENEWAL:
        renewal = renewal_document(Renewal.objects.select_related("contract").get(quote=quote))
        render = lambda quote: render_quote_pdf(quote, renewal=renewal)  # noqa: E731
    else:
        render = render_quote_pdf
    return send_quote(quote=quote, by=by, on=on, base_url=base_url, render=render)


@transaction.atomic
def accept_quote_flow(*, token: str, signer_name: str, signer_title: str, consent: bool,
                      ip: str | None, user_agent: str, on: date | None = None):
    """The customer signs the quote their link names; returns the accepted quote."""
    quote = quote_for_link(token, on=on, for_update=True)
    customer = Actor.customer(name=signer_name.strip(), ip=ip)
    quote = accept_quote(quote=quote, by=customer, title=signer_title, consent=consent,
                         user_agent=user_agent, on=on)
    if quote.kind == QuoteKind.AMENDMENT:
        contract, new_lines = contract_services.apply_amendment(quote=quote, by=customer, on=on)
        # Orders provisions what the amendment adds; a reduction has nothing to deliver.
        to_order = order_services.lines_to_provision(new_lines)
        if to_order:
            order_services.create_order_from_contract(contract=contract, lines=to_order,
                                                      by=customer, on=on)
        _account_for_revenue(contract, on)
    else:
        contract = contract_services.create_contract_from_quote(quote=quote, by=customer, on=on)
        if contract.template is not None and contract.template.acceptance_signs:
            contract_services.sign_by_acceptance(contract=contract, quote=quote, by=customer,
                                                 user_agent=user_agent, on=on)
    return quote


@transaction.atomic
def decline_quote_flow(*, token: str, reason: str, signer_name: str = "",
                       ip: str | None, on: date | None = None):
    """The customer declines the quote their link names, with a reason; returns the quote."""
    quote = quote_for_link(token, on=on, for_update=True)
    contact = quote.contact.name if quote.contact_id else ""
    customer = Actor.customer(name=signer_name.strip() or contact or "Customer", ip=ip)
    return decline_quote(quote=quote, by=customer, reason=reason, on=on)


@transaction.atomic
def sign_contract_flow(*, token: str, signer_name: str, signer_title: str, consent: bool,
                       ip: str | None, user_agent: str, on: date | None = None):
    """The customer signs the contract their link names; returns the signed contract."""
    contract = contract_services.contract_for_link(token, for_update=True)
    customer = Actor.customer(name=signer_name.strip(), ip=ip)
    return contract_services.sign(contract=contract, by=customer, title=signer_title,
                                  consent=consent, user_agent=user_agent, on=on)


@transaction.atomic
def countersign_contract_flow(*, contract, by, on: date | None = None):
    """A user countersigns; the order is created and credit checked; the contract activates now
    if its start date has come."""
    contract = contract_services.countersign(contract=contract, by=by, on=on)
    order_services.create_order_from_contract(contract=contract, by=by, on=on)
    if business_date(on) >= contract.start_on:
        contract = contract_services.activate(contract=contract, by=by, on=on)
        _account_for_revenue(contract, on)
    return contract


@transaction.atomic
def activate_contract_flow(*, contract, by, on: date | None = None):
    """A user activates a countersigned contract whose start date has come."""
    contract = contract_services.activate(contract=contract, by=by, on=on)
    _account_for_revenue(contract, on)
    return contract


def _account_for_revenue(contract, on: date | None) -> None:
    # An accounting consequence, not the user's act: done by the revrec task's actor.
    create_revenue_contracts(contract_ids=[contract.pk], on=on,
                             by=Actor.task("create_revenue_contracts"))


@transaction.atomic
def return_goods_flow(*, invoice_line, quantity, by, on: date | None = None):
    """Goods of `invoice_line` sent back: the settlement and the credit note, or neither."""
    obligation = PerformanceObligation.objects.filter(
        contract_line_id=invoice_line.contract_line_id).first()
    if obligation is None:
        raise ValidationError({"invoice_line": "These goods were not sold under a contract whose "
                                               "revenue is recognized here."})
    back = record_return(obligation=obligation, quantity=quantity, by=by, on=on)
    note = issue_credit_note(invoice=invoice_line.invoice, by=by, on=on,
                             reason=CreditNoteReason.RETURNED_GOODS,
                             reason_note=f"{back.quantity.normalize():f} returned",
                             line_amounts={invoice_line.pk: back.refund})
    return credit_return(goods_return=back, credit_note=note, by=by)
