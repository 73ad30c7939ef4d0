"""Customer credit: collect what issued credit notes left owed back to customers, apply it to
open invoices (by finance, or by the periodic task for accounts with auto-apply), refund it.

Collect: billing already booked the excess to customer credits (chart.CUSTOMER_CREDITS) when it
issued the credit note; collecting makes it a CustomerCredit row, once per credit note (a
unique constraint), so nothing is posted. Apply: Dr customer credits at the credit's rate, Cr
the invoice's receivable at its booked rate, the difference realized FX
(payments.journals.cash_entry with no cash); the invoice through billing's apply_credit.
Refund: Dr customer credits, Cr cash. Lock order: the credits by pk, then the invoices by pk.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from billing.models import Invoice
from billing.models.invoices import OPEN_STATES
from billing.selectors import invoices_for_update
from billing.services import apply_credit
from core.actors import as_actor, require
from core.dates import business_date
from core.formatting import format_money
from core.money import round_money
from ledger.services import post_entry
from payments.credit_rules import spread
from payments.journals import Part, Payer, cash_entry
from payments.models import CreditUse, CustomerCredit, Payment, PaymentsProfile
from payments.models.payments import HELD_STATES
from payments.selectors import uncollected_credit_notes
from payments.services.cash import Application, allocate_payment, checked_amount, split_across

ZERO = Decimal("0")


def collect_credit_note_credits(*, account_ids: Sequence[int] | None = None) -> int:
    """A CustomerCredit for each issued credit note whose entry credited customer credits and
    that has none yet (one read, one insert); how many were made. Running it again makes
    none."""
    credits = [CustomerCredit(credit_note_id=r["pk"], account_id=r["account_id"],
                              currency=r["currency"], amount=-r["owed"],
                              fx_rate=r["rate"] or Decimal(1), created_on=r["issue_on"])
               for r in uncollected_credit_notes(account_ids)]
    try:
        with transaction.atomic():
            CustomerCredit.objects.bulk_create(credits)
    except IntegrityError:  # another run collected the same notes first: theirs stand
        return 0
    return len(credits)


def _payer(credit: CustomerCredit) -> Payer:
    return Payer(credit.account_id, credit.currency, credit.fx_rate, str(credit))


def _credits_for_update(account, currency: str) -> list[CustomerCredit]:
    credits = CustomerCredit.objects.select_for_update().select_related("credit_note").filter(
        account=account, currency=currency).order_by("pk")
    return sorted((c for c in credits if c.unapplied > 0), key=lambda c: (c.created_on, c.pk))


@dataclass(frozen=True)
class Use:
    credit: CustomerCredit
    invoice: Invoice
    amount: Decimal


def _spread(credits: list[CustomerCredit], wanted: list[tuple[Invoice, Decimal]]) -> list[Use]:
    by_pk, invoices = {c.pk: c for c in credits}, {i.pk: i for i, _ in wanted}
    return [Use(by_pk[credit], invoices[invoice], amount) for credit, invoice, amount in spread(
        [(c.pk, c.unapplied) for c in credits], [(i.pk, amount) for i, amount in wanted])]


def _checked(account, currency, applications, invoices) -> list[tuple[Invoice, Decimal]]:
    errors, wanted = [], []
    for application in applications:
        invoice = invoices.get(application.invoice_id)
        if invoice is None or invoice.account_id != account.pk or invoice.currency != currency:
            errors.append(f"Invoice {application.invoice_id} is not an open invoice of "
                          f"{account} in {currency}.")
            continue
        amount = checked_amount(application.amount, currency)
        if not invoice.is_open or amount > invoice.amount_due:
            due = round_money(invoice.amount_due if invoice.is_open else ZERO, currency)
            errors.append(f"{amount} is more than the {due} due on {invoice}.")
            continue
        wanted.append((invoice, amount))
    if len({a.invoice_id for a in applications}) != len(applications):
        errors.append("Each invoice may appear once.")
    if errors:
        raise ValidationError({"applications": errors})
    return wanted


def _use(use: Use, *, by, day: date) -> CreditUse:
    credit, invoice = use.credit, use.invoice
    memo = f"{credit} applied to {invoice}"
    draft, _ = cash_entry(payer=_payer(credit), day=day, memo=memo, parts=[
        Part(invoice.pk, str(invoice), invoice.fx_rate or Decimal(1), use.amount)],
        functional_currency=settings.FUNCTIONAL_CURRENCY, credit_before=credit.unapplied,
        source=credit)
    entry = post_entry(draft, by=by, on=day)
    apply_credit(invoice=invoice, amount=use.amount, by=by, on=day,
                 note=f"{format_money(use.amount, credit.currency)} of {credit} applied.")
    credit.amount_applied += use.amount
    credit.save(update_fields=["amount_applied"])
    return CreditUse.objects.create(credit=credit, invoice=invoice, amount=use.amount,
                                    used_on=day, note=memo[:255], journal_entry=entry,
                                    created_by=as_actor(by).user)


@transaction.atomic
def apply_customer_credit(*, account, currency: str, applications: Sequence[Application], by,
                          on: date | None = None) -> list[CreditUse]:
    """Apply the account's credit-note credit in `currency` (oldest first) to open invoices."""
    require(by, "payments.apply_customer_credit", "You are not allowed to apply customer credit.")
    if not applications:
        raise ValidationError({"applications": ["Choose at least one invoice."]})
    day = business_date(on)
    collect_credit_note_credits(account_ids=[account.pk])
    credits = _credits_for_update(account, currency)
    invoices = {i.pk: i for i in invoices_for_update(a.invoice_id for a in applications)}
    wanted = _checked(account, currency, applications, invoices)
    available = sum((c.unapplied for c in credits), ZERO)
    asked = sum((amount for _, amount in wanted), ZERO)
    if asked > available:
        raise ValidationError({"applications": [
            f"{asked} is more than the {round_money(available, currency)} {currency} of "
            f"credit {account} has."]})
    return [_use(use, by=by, day=day) for use in _spread(credits, wanted)]


@transaction.atomic
def refund_customer_credit(*, credit, amount, reason: str, by,
                           on: date | None = None) -> CreditUse:
    """Pay part or all of a credit back to the customer."""
    require(by, "payments.apply_customer_credit", "You are not allowed to refund customer "
                                                  "credit.")
    credit = CustomerCredit.objects.select_for_update().select_related("credit_note").get(
        pk=credit.pk)
    amount = checked_amount(amount, credit.currency)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the credit is refunded."})
    if amount > credit.unapplied:
        raise ValidationError({"amount": f"{amount} is more than the "
                                         f"{round_money(credit.unapplied, credit.currency)} "
                                         f"left of {credit}."})
    day = business_date(on)
    memo = f"Refund of {format_money(amount, credit.currency)} of {credit}: {reason.strip()}"
    draft, _ = cash_entry(payer=_payer(credit), day=day, memo=memo, parts=[], cash=-amount,
                          functional_currency=settings.FUNCTIONAL_CURRENCY,
                          credit_before=credit.unapplied, source=credit)
    entry = post_entry(draft, by=by, on=day)
    credit.amount_refunded += amount
    credit.save(update_fields=["amount_refunded"])
    return CreditUse.objects.create(credit=credit, amount=amount, used_on=day,
                                    note=memo[:255], journal_entry=entry,
                                    created_by=as_actor(by).user)


def _auto_apply_account(account_id: int, *, by, day: date) -> int:
    """Credit notes' credit, then unapplied cash, onto the account's open invoices by due
    date; how many applications were made."""
    made = 0
    invoices = list(Invoice.objects.filter(account_id=account_id, state__in=OPEN_STATES,
                                           amount_due__gt=0).order_by("due_on", "pk"))
    for currency in sorted({i.currency for i in invoices}):
        mine = [i for i in invoices if i.currency == currency]
        available = sum((c.unapplied for c in CustomerCredit.objects.filter(
            account_id=account_id, currency=currency)), ZERO)
        if available > 0:
            applications = split_across(available, mine)
            made += len(apply_customer_credit(account=mine[0].account, currency=currency,
                                              applications=applications, by=by, on=day))
        for payment in Payment.objects.filter(account_id=account_id, currency=currency,
                                              state__in=HELD_STATES).order_by("received_on",
                                                                              "pk"):
            open_now = [i for i in Invoice.objects.filter(pk__in=[m.pk for m in mine],
                                                          state__in=OPEN_STATES,
                                                          amount_due__gt=0).order_by("due_on",
                                                                                     "pk")]
            if payment.unapplied > 0 and open_now:
                allocate_payment(payment=payment, by=by, on=day,
                                 applications=split_across(payment.unapplied, open_now))
                made += 1
    return made


def accounts_to_auto_apply() -> list[int]:
    """Accounts with auto-apply on that owe something and have credit or cash to apply
    (one query)."""
    account = OuterRef("account_id")
    has_credit = Exists(CustomerCredit.objects.filter(
        account_id=account, amount__gt=F("amount_applied") + F("amount_refunded")))
    has_cash = Exists(Payment.objects.filter(
        account_id=account, state__in=HELD_STATES,
        amount__gt=F("amount_applied") + F("amount_refunded") + F("amount_disputed")))
    owes = Exists(Invoice.objects.filter(account_id=account, state__in=OPEN_STATES,
                                         amount_due__gt=0))
    return list(PaymentsProfile.objects.filter(auto_apply_credit=True).filter(owes).filter(
        has_credit | has_cash).order_by("account_id").values_list("account_id", flat=True))


def auto_apply_credits(*, by, on: date | None = None) -> int:
    """Collect credit notes' credit, then apply customer credit to the open invoices of each
    account with auto-apply on (one transaction per account: one that fails leaves the others
    applied); how many applications were made. Idempotent: nothing is left to apply twice."""
    require(by, "payments.apply_customer_credit", "You are not allowed to apply customer credit.")
    day = business_date(on)
    collect_credit_note_credits()
    made = 0
    for account_id in accounts_to_auto_apply():
        with transaction.atomic():
            made += _auto_apply_account(account_id, by=by, day=day)
    return made
