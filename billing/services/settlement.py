"""What settles an issued invoice: payments applied and reversed, credits, write-off.

These are the only writers of an invoice's `amount_due` after issue (payments call
`apply_payment` and `reverse_payment`, credit notes `apply_credit`). Each locks the invoice row
first, so two payments on one invoice at once are applied one after the other.
"""

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import Invoice, InvoiceState
from billing.selectors import invoice_for_update
from core import clock
from core.actors import require
from core.bulk_rows import update_columns
from core.dates import business_date
from core.events import record_event, record_events
from core.formatting import format_money
from core.money import round_money
from core.transitions import run_bulk_transition, run_transition
from ledger import chart
from ledger.fx import convert
from ledger.services import EntryDraft, LineDraft, post_entry

ZERO = Decimal("0")


def _checked_amount(amount, invoice: Invoice) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("amounts are Decimal, never float")
    amount = Decimal(amount)
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if round_money(amount, invoice.currency) != amount:
        raise ValidationError(
            {"amount": f"{amount} is not rounded to {invoice.currency}'s minor unit."})
    return amount


def _at_most(amount: Decimal, limit: Decimal, invoice: Invoice, what: str) -> None:
    if amount > limit:
        limit = round_money(limit, invoice.currency)
        raise ValidationError({"amount": f"{amount} is more than the {limit} {what} on {invoice}."})


def _pay(invoice: Invoice, *, by, note: str, on: date | None) -> Invoice:
    """Nothing is due any more: paid, and the outbox hears of it."""
    invoice = run_transition(invoice, "pay", by=by, note=note, on=on)
    record_event("invoice.paid", invoice)
    return invoice


def _settled(invoice: Invoice, amount: Decimal, by_field: str, takes: str) -> Decimal:
    """Move `amount` (checked) from the open invoice's amount due to `by_field` (what paid or
    credited it), in memory; the amount moved. `takes` ends the refusal of an invoice not
    open ("only an issued or partially paid invoice ...")."""
    amount = _checked_amount(amount, invoice)
    if not invoice.is_open:
        raise ValidationError(f"{invoice} is {invoice.get_state_display().lower()}: only an "
                              f"issued or partially paid invoice {takes}.")
    _at_most(amount, invoice.amount_due, invoice, "due")
    invoice.amount_due -= amount
    setattr(invoice, by_field, getattr(invoice, by_field) + amount)
    return amount


@transaction.atomic
def apply_payment(*, invoice, amount: Decimal, by, on: date | None = None,
                  note: str = "") -> Invoice:
    """Reduce the amount due by a payment (never below zero): issued → partially paid → paid."""
    require(by, "billing.apply_payment", "You are not allowed to apply payments to invoices.")
    invoice = invoice_for_update(invoice.pk)
    amount = _settled(invoice, amount, "amount_paid", "takes a payment")
    note = note or f"Payment of {format_money(amount, invoice.currency)} applied."
    if invoice.amount_due == 0:
        return _pay(invoice, by=by, note=note, on=on)
    return run_transition(invoice, "pay_partially", by=by, note=note, on=on)


@transaction.atomic
def reverse_payment(*, invoice, amount: Decimal, by, on: date | None = None,
                    note: str = "") -> Invoice:
    """Put a refunded, disputed or reversed payment back on the amount due:
    paid → partially paid → issued."""
    require(by, "billing.apply_payment", "You are not allowed to reverse payments on invoices.")
    invoice = invoice_for_update(invoice.pk)
    amount = _checked_amount(amount, invoice)
    if invoice.state not in (InvoiceState.PAID, InvoiceState.PARTIALLY_PAID):
        raise ValidationError(f"{invoice} is {invoice.get_state_display().lower()}: "
                              "only a paid or partially paid invoice has a payment to reverse.")
    _at_most(amount, invoice.amount_paid, invoice, "paid")
    invoice.amount_due += amount
    invoice.amount_paid -= amount
    note = note or f"Payment of {format_money(amount, invoice.currency)} reversed."
    if invoice.amount_paid == 0:
        return run_transition(invoice, "reopen", by=by, note=note, on=on)
    return run_transition(invoice, "reopen_partially", by=by, note=note, on=on)


@transaction.atomic
def apply_credit(*, invoice, amount: Decimal, by, on: date | None = None,
                 note: str = "") -> Invoice:
    """Reduce the amount due by an issued credit note (never below zero); an invoice credited
    down to nothing due is settled (paid)."""
    require(by, "billing.issue_credit_note", "You are not allowed to credit invoices.")
    invoice = invoice_for_update(invoice.pk)
    amount = _checked_amount(amount, invoice)
    return apply_credits([(invoice, amount)], by=by, on=on, note=note or (
        f"Credit of {format_money(amount, invoice.currency)} applied."))[0]


# What a credit writes of an invoice that it does not move to another state.
CREDITED_FIELDS = ["amount_due", "amount_credited", "updated_at"]


@transaction.atomic(savepoint=False)
def apply_credits(credits: Sequence[tuple[Invoice, Decimal]], *, by, on: date | None,
                  note: str | Callable[[Invoice], str]) -> list[Invoice]:
    """`apply_credit` for invoices the caller's transaction has locked, each with its amount:
    the paid ones moved by one bulk transition, the partially paid by another, the rest of the
    amounts in one update (`note`: each history row's, or each invoice's own)."""
    require(by, "billing.issue_credit_note", "You are not allowed to credit invoices.")
    moves, now = {"pay": [], "pay_partially": [], "": []}, clock.now()
    for invoice, amount in credits:
        _settled(invoice, amount, "amount_credited", "can be credited")
        invoice.updated_at = now
        moves["pay" if invoice.amount_due == 0 else "pay_partially" if invoice.amount_paid > 0
              else ""].append(invoice)
    for transition in ("pay", "pay_partially"):
        run_bulk_transition(moves[transition], transition, by=by, note=note, on=on,
                            update_fields=CREDITED_FIELDS)
    record_events("invoice.paid", moves["pay"])
    update_columns(Invoice, moves[""], CREDITED_FIELDS)
    return [invoice for invoice, _ in credits]


def _write_off_entry(invoice: Invoice, amount: Decimal, day: date, note: str) -> EntryDraft:
    """Bad debt expense against the receivable, at the rate the invoice was issued at (the
    receivable was booked at that rate)."""
    rate = invoice.fx_rate or Decimal(1)
    functional = convert(amount, rate, invoice.functional_currency or invoice.currency)
    return EntryDraft(
        document_date=day, memo=f"Write-off of {invoice}: {note}"[:255], source=invoice,
        source_label=str(invoice),
        lines=[
            LineDraft(chart.BAD_DEBT_EXPENSE, debit=functional, description=str(invoice)),
            LineDraft(chart.ACCOUNTS_RECEIVABLE, credit=functional,
                      customer_account_id=invoice.account_id,
                      document_currency=invoice.currency, document_amount=-amount, rate=rate,
                      description=str(invoice)),
        ])


@transaction.atomic
def mark_uncollectible(*, invoice, by, on: date | None = None, note: str) -> Invoice:
    """Write off what is still due as bad debt: issued | partially paid → uncollectible."""
    require(by, "billing.mark_invoice_uncollectible", "You are not allowed to write off invoices.")
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the invoice cannot be collected."})
    invoice = invoice_for_update(invoice.pk)
    if not invoice.is_open:
        raise ValidationError(f"{invoice} is {invoice.get_state_display().lower()}: only an "
                              "issued or partially paid invoice can be written off.")
    day = business_date(on)
    amount = invoice.amount_due
    if amount > 0:
        invoice.write_off_entry = post_entry(_write_off_entry(invoice, amount, day, note.strip()),
                                             by=by, on=day)
    invoice.amount_written_off += amount
    invoice.amount_due = ZERO
    return run_transition(invoice, "write_off", by=by, note=note.strip(), on=day, day=day)
