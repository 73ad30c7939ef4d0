"""Apply a payment's unapplied cash to everything its account owes in the currency, in the
order the account's country requires (payments.late_payment.clearing): late fees, then late
interest, then invoices under BGB §367(1); invoices first elsewhere. Oldest first within each.

One entry for the whole application (payments.journals.cash_entry: Dr customer credits, Cr the
receivable of each invoice and late charge at its booked rate, FX difference); invoices are
settled through billing, late charges here. Lock order: the payment, the late charges by pk,
then the invoices by pk (billing's order).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from billing.selectors import invoices_for_update
from billing.services import apply_credit, apply_payment
from core.actors import as_actor, require
from core.dates import business_date
from core.formatting import format_money
from core.transitions import run_transition
from ledger.services import post_entry
from payments import late_payment as lp
from payments.journals import Part, cash_entry
from payments.models import (
    ClearingRule,
    LateCharge,
    LateChargeKind,
    LateChargePayment,
    LateChargeState,
    PaymentMethodKind,
)
from payments.models.payments import HELD_STATES
from payments.selectors import open_invoices_of, payment_for_update
from payments.services.billing_pause import resume_cleared
from payments.services.cash import Application, payer_of, planned_parts, record_allocations

ZERO = Decimal("0")
KINDS = {LateChargeKind.FEE: lp.Kind.COSTS, LateChargeKind.INTEREST: lp.Kind.INTEREST}


def clearing_order(country: str) -> lp.ClearingOrder:
    """The order the country's rule sets (principal first where there is none)."""
    rule = ClearingRule.objects.filter(country=(country or "").upper()).first()
    return lp.ClearingOrder(rule.order) if rule else lp.ClearingOrder.PRINCIPAL_FIRST


def _open_items(payment) -> tuple[list[LateCharge], list, list[lp.Open]]:
    charges = list(LateCharge.objects.select_for_update().filter(
        account_id=payment.account_id, currency=payment.currency, state=LateChargeState.ISSUED,
        amount_due__gt=0).order_by("pk"))
    charges.sort(key=lambda c: (c.issue_on, c.pk))
    invoice_ids = list(open_invoices_of(payment.account, payment.currency)
                       .filter(amount_due__gt=0).values_list("pk", flat=True))
    invoices = sorted(invoices_for_update(invoice_ids), key=lambda i: (i.due_on or date.max,
                                                                       i.pk))
    items = [lp.Open(KINDS[c.kind], ("charge", c.pk), c.amount_due) for c in charges]
    items += [lp.Open(lp.Kind.PRINCIPAL, ("invoice", i.pk), i.amount_due) for i in invoices]
    return charges, invoices, items


def _pay_charges(payment, charges: dict[int, LateCharge], parts, results, *, entry, day, by):
    actor = as_actor(by)
    LateChargePayment.objects.bulk_create([
        LateChargePayment(payment=payment, late_charge_id=part.invoice_id, amount=part.amount,
                          functional_amount=result.functional_amount,
                          fx_difference=result.fx_difference, paid_on=day, journal_entry=entry,
                          created_by=actor.user)
        for part, result in zip(parts, results, strict=True)])
    for part in parts:
        charge = charges[part.invoice_id]
        charge.amount_paid += part.amount
        charge.amount_due -= part.amount
        note = f"{payment}: {format_money(part.amount, charge.currency)} paid."
        if charge.amount_due == 0:
            run_transition(charge, "pay", by=by, on=day, note=note)
        else:
            charge.save(update_fields=["amount_paid", "amount_due"])
    payment.amount_applied += sum((p.amount for p in parts), ZERO)


@transaction.atomic
def apply_in_order(*, payment, by, on: date | None = None):
    """Apply the payment's unapplied cash to its account's late charges and open invoices in
    the country's clearing order; returns the payment."""
    require(by, "payments.allocate_payment", "You are not allowed to apply payments to invoices.")
    payment = payment_for_update(payment.pk)
    if payment.state not in HELD_STATES or payment.unapplied <= 0:
        raise ValidationError(f"{payment} has no unapplied cash to apply.")
    if payment.method == PaymentMethodKind.CARD:
        # A chargeback takes a card payment back off its invoices only (refunds.open_dispute).
        raise ValidationError(f"{payment} is a card payment, which the cardholder can dispute: "
                              "apply it to invoices with Apply to invoices.")
    day = business_date(on)
    charges, invoices, items = _open_items(payment)
    cleared = lp.clearing(payment.unapplied, items, clearing_order(payment.account.country))
    if not cleared:
        raise ValidationError(f"{payment.account} owes nothing in {payment.currency}.")
    by_charge = {c.pk: c for c in charges}
    charge_parts = [Part(pk, str(by_charge[pk]), by_charge[pk].fx_rate, c.amount)
                    for c in cleared for kind, pk in [c.key] if kind == "charge"]
    invoice_parts = planned_parts(
        payment, [Application(pk, c.amount) for c in cleared for kind, pk in [c.key]
                  if kind == "invoice"], {i.pk: i for i in invoices}, day, payment.unapplied)
    parts = charge_parts + invoice_parts
    draft, results = cash_entry(
        payer=payer_of(payment), day=day, parts=parts, cash=ZERO,
        memo=f"Credit balance of {payment} applied in {payment.account.country or 'the'} "
             "clearing order", functional_currency=settings.FUNCTIONAL_CURRENCY,
        credit_before=payment.unapplied, source=payment)
    entry = post_entry(draft, by=by, on=day)
    _pay_charges(payment, by_charge, charge_parts, results[:len(charge_parts)], entry=entry,
                 day=day, by=by)
    invoices_by_pk = {i.pk: i for i in invoices}
    for part in invoice_parts:
        apply_payment(invoice=invoices_by_pk[part.invoice_id], amount=part.amount, by=by,
                      on=day, note=f"{payment}: {format_money(part.amount, payment.currency)} "
                                   "applied.")
        if part.discount:
            apply_credit(invoice=invoices_by_pk[part.invoice_id], amount=part.discount, by=by,
                         on=day, note=f"Early-payment discount with {payment}.")
    record_allocations(payment, invoice_parts, results[len(charge_parts):], entry=entry,
                       day=day, by=by)
    payment.save(update_fields=["amount_applied", "updated_at"])
    resume_cleared(account_ids=[payment.account_id], on=day)
    return payment
