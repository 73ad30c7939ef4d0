"""Cash application: record a payment received, apply it (or an account's credit balance) to
invoices, and split one amount across several invoices.

Every change to an invoice goes through billing's settlement services; the payment's own
amounts are moved here, and the ledger entry is built by payments.journals. Lock order: the
payment, then its invoices by pk (billing's order).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import Invoice
from billing.selectors import invoices_for_update
from billing.services import apply_credit, apply_payment, reverse_payment
from core.actors import as_actor, require
from core.dates import business_date
from core.events import record_event
from core.formatting import format_money
from core.money import allocate, round_money
from core.transitions import run_transition
from ledger.fx import convert
from ledger.services import post_entry, rate_on
from payments.journals import Part, Payer, cash_entry
from payments.models import Allocation, Payment, PaymentMethodKind
from payments.models.payments import HELD_STATES
from payments.selectors import early_discount, payment_for_update
from payments.services.billing_pause import resume_cleared

ZERO = Decimal("0")

@dataclass(frozen=True)
class Application:
    """Apply `amount` of a payment to the invoice with pk `invoice_id`."""

    invoice_id: int
    amount: Decimal


def checked_amount(amount, currency: str, field: str = "amount") -> Decimal:
    if isinstance(amount, float):
        raise TypeError("amounts are Decimal, never float")
    try:
        amount = Decimal(amount)
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({field: "Enter an amount."}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: "The amount must be more than zero."})
    if round_money(amount, currency) != amount:
        raise ValidationError({field: f"{amount} is not rounded to {currency}'s minor unit."})
    return amount


def split_across(amount: Decimal, invoices: Sequence[Invoice]) -> list[Application]:
    """Spread `amount` over invoices: each fully in due-date order while it lasts; if it
    cannot cover them all and they are due the same day, in proportion to what each is due
    (largest remainder), so the parts add up to the amount exactly."""
    if not invoices:
        return []
    currency = invoices[0].currency
    total_due = sum((i.amount_due for i in invoices), ZERO)
    if amount >= total_due:
        return [Application(i.pk, i.amount_due) for i in invoices]
    if len({i.due_on for i in invoices}) == 1:
        parts = allocate(amount, [i.amount_due for i in invoices], currency)
        return [Application(i.pk, p) for i, p in zip(invoices, parts, strict=True) if p > 0]
    applications, left = [], amount
    for invoice in invoices:
        part = min(left, invoice.amount_due)
        if part > 0:
            applications.append(Application(invoice.pk, part))
        left -= part
    return applications


def planned_parts(payment: Payment, applications: Sequence[Application],
                   invoices: dict[int, Invoice], day: date, available: Decimal) -> list[Part]:
    """Validate the applications against the locked invoices and the cash available."""
    errors, parts = [], []
    for application in applications:
        invoice = invoices.get(application.invoice_id)
        if invoice is None:
            errors.append(f"Invoice {application.invoice_id} does not exist.")
            continue
        if invoice.account_id != payment.account_id or invoice.currency != payment.currency:
            errors.append(f"{invoice} is not an invoice of {payment.account} in "
                          f"{payment.currency}.")
            continue
        if not invoice.is_open:
            errors.append(f"{invoice} is {invoice.get_state_display().lower()}.")
            continue
        amount = checked_amount(application.amount, payment.currency)
        offer = early_discount(invoice, day)
        if not (offer and amount + offer.amount == invoice.amount_due):
            offer = None  # the discount is granted only when it settles the rest
        discount = offer.amount if offer else ZERO
        if amount + discount > invoice.amount_due:
            due = round_money(invoice.amount_due, invoice.currency)
            errors.append(f"{amount} is more than the {due} due on {invoice}.")
            continue
        tax = offer.tax if offer else ZERO
        parts.append(Part(invoice.pk, str(invoice), invoice.fx_rate or Decimal(1), amount,
                          discount - tax, tax, offer.mode if offer else ""))
    applied = sum((p.amount for p in parts), ZERO)
    if applied > available:
        left = round_money(available, payment.currency)
        errors.append(f"{applied} is more than the {left} of {payment} left to apply.")
    if len({a.invoice_id for a in applications}) != len(applications):
        errors.append("Each invoice may appear once.")
    if errors:
        raise ValidationError({"applications": errors})
    return parts


def payer_of(payment: Payment) -> Payer:
    return Payer(payment.account_id, payment.currency, payment.fx_rate or Decimal(1),
                 str(payment))


def apply_cash(payment: Payment, applications: Sequence[Application], *, by, day: date,
               cash: Decimal, memo: str):
    """Post the entry, settle the invoices through billing, record the allocations."""
    invoices = {i.pk: i for i in invoices_for_update(a.invoice_id for a in applications)}
    available = cash or payment.unapplied
    parts = planned_parts(payment, applications, invoices, day, available)
    draft, results = cash_entry(payer=payer_of(payment), day=day, memo=memo, parts=parts,
                                functional_currency=settings.FUNCTIONAL_CURRENCY, cash=cash,
                                credit_before=payment.unapplied, source=payment)
    entry = post_entry(draft, by=by, on=day)
    for part in parts:
        invoice = invoices[part.invoice_id]
        apply_payment(invoice=invoice, amount=part.amount, by=by, on=day,
                      note=f"{payment}: {format_money(part.amount, payment.currency)} applied.")
        if part.discount:
            apply_credit(invoice=invoice, amount=part.discount, by=by, on=day,
                         note=f"Early-payment discount with {payment}.")
    record_allocations(payment, parts, results, entry=entry, day=day, by=by)
    resume_cleared(account_ids=[payment.account_id], on=day)
    return entry


def record_allocations(payment: Payment, parts, results, *, entry, day: date, by,
                       note: str = "") -> None:
    """The allocation rows of an entry's parts (negative: taken back), and the payment's
    applied amount moved by their sum."""
    actor = as_actor(by)
    Allocation.objects.bulk_create([
        Allocation(payment=payment, invoice_id=part.invoice_id, amount=part.amount,
                   discount=part.discount, discount_tax=part.discount_tax,
                   discount_tax_mode=part.discount_mode,
                   functional_amount=result.functional_amount,
                   fx_difference=result.fx_difference, allocated_on=day, journal_entry=entry,
                   note=note[:255], created_by=actor.user)
        for part, result in zip(parts, results, strict=True)])
    payment.amount_applied += sum((p.amount for p in parts), ZERO)


def take_back(payment: Payment, wanted: Decimal, *, by, day: date, note: str) -> list[Part]:
    """Take up to `wanted` of the payment's applied cash back off its invoices through
    billing's reverse_payment, the latest applied first; the negative parts to post."""
    if wanted <= 0:
        return []
    net: dict[int, Decimal] = {}
    for invoice_id, amount in (Allocation.objects.filter(payment=payment).order_by("-pk")
                               .values_list("invoice_id", "amount")):
        net[invoice_id] = net.get(invoice_id, ZERO) + amount
    invoices = {i.pk: i for i in invoices_for_update(k for k, v in net.items() if v > 0)}
    parts, left = [], wanted
    for invoice_id, applied in net.items():
        if left <= 0 or applied <= 0:
            continue
        invoice, amount = invoices[invoice_id], min(applied, left)
        reverse_payment(invoice=invoice, amount=amount, by=by, on=day, note=note)
        parts.append(Part(invoice.pk, str(invoice), invoice.fx_rate or Decimal(1), -amount))
        left -= amount
    return parts


@transaction.atomic
def record_payment(*, account, method: str, amount, currency: str, received_on: date | None,
                   by, reference: str = "", applications: Sequence[Application] = ()) -> Payment:
    """Record cash received (bank transfer, check, wire, or a card taken outside the gateway)
    and apply it to invoices at once; what is not applied is the account's credit balance."""
    require(by, "payments.record_payment", "You are not allowed to record payments.")
    if applications:
        require(by, "payments.allocate_payment",
                "You are not allowed to apply payments to invoices.")
    currency = (currency or "").upper()
    errors = {}
    if method not in PaymentMethodKind.values:
        errors["method"] = "Choose how the money came in."
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = "Enter a three-letter currency code."
    if errors:
        raise ValidationError(errors)
    amount = checked_amount(amount, currency)
    day = business_date(received_on)
    rate = rate_on(currency, day)
    payment = Payment.objects.create(
        account=account, method=method, amount=amount, currency=currency, received_on=day,
        reference=reference.strip()[:140], fx_rate=rate,
        functional_amount=convert(amount, rate, settings.FUNCTIONAL_CURRENCY),
        created_by=as_actor(by).user)
    return receive(payment=payment, applications=applications, by=by, day=day)


def receive(*, payment: Payment, applications: Sequence[Application], by, day: date) -> Payment:
    """A pending payment's money has arrived: post it, apply it, mark it succeeded."""
    payment.receipt_entry = apply_cash(payment, applications, by=by, day=day,
                                       cash=payment.amount,
                                       memo=f"Payment {payment} from {payment.account}")
    applied = payment.amount_applied
    currency = payment.currency
    note = (f"{format_money(payment.amount, currency)} received; "
            f"{format_money(applied, currency)} applied, "
            f"{format_money(payment.amount - applied, currency)} to the credit balance.")
    payment = run_transition(payment, "succeed", by=by, note=note, on=day)
    record_event("payment.succeeded", payment)
    return payment


@transaction.atomic
def allocate_payment(*, payment, applications: Sequence[Application], by,
                     on: date | None = None) -> Payment:
    """Apply a succeeded payment's unapplied cash (the credit balance) to open invoices."""
    require(by, "payments.allocate_payment", "You are not allowed to apply payments to invoices.")
    payment = payment_for_update(payment.pk)
    if payment.state not in HELD_STATES:
        raise ValidationError(f"{payment} is {payment.get_state_display().lower()}: only "
                              "received money can be applied.")
    if not applications:
        raise ValidationError({"applications": ["Choose at least one invoice."]})
    day = business_date(on)
    apply_cash(payment, applications, by=by, day=day, cash=ZERO,
           memo=f"Credit balance of {payment} applied")
    payment.save(update_fields=["amount_applied", "updated_at"])
    return payment


