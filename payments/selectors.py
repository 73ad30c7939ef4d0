"""Payments' questions: which payments a user may see, the pieces of a payment's page, the
account's credit balance, early-payment discounts, match suggestions and the lock helpers
(ordered by pk)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from billing.models import CreditNote, CreditNoteState, Invoice
from billing.models.invoices import OPEN_STATES
from billing.selectors import open_invoices_for
from catalog.policies import early_discount_tax_mode
from core.formatting import format_money
from core.money import round_money
from core.visibility import visible_to
from ledger import chart
from payments.cash_discount import DiscountTaxMode, early_payment_discount
from payments.models import (
    Allocation,
    CustomerCredit,
    DunningEvent,
    DunningRun,
    DunningRunState,
    LateCharge,
    LateChargePayment,
    Payment,
    StatementImport,
)
from payments.models.payments import HELD_STATES

ZERO = Decimal("0")


def payments_visible_to(user) -> QuerySet[Payment]:
    """Finance and accountants see every payment; sales roles those of the accounts they own
    (managers: their team's too), as core.visibility decides for accounts."""
    return visible_to(Payment.objects.select_related("account"), user,
                      view="payments.view_payment", view_team="payments.view_team_payments",
                      view_all="payments.view_all_payments", owner="account__owner")


def search_payments(queryset: QuerySet[Payment], text: str) -> QuerySet[Payment]:
    text = (text or "").strip()
    if not text:
        return queryset
    found = (Q(reference__icontains=text) | Q(account__name__icontains=text)
             | Q(gateway_reference__icontains=text)
             | Q(allocations__invoice__number__icontains=text))
    digits = text.upper().removeprefix("PAY-").lstrip("0")
    if digits.isdigit():
        found |= Q(pk=int(digits))
    return queryset.filter(found).distinct()


def payment_for_detail(*, pk: int, user) -> Payment:
    payment = (payments_visible_to(user)
               .select_related("account", "payment_method", "invoice", "created_by")
               .prefetch_related(
                   Prefetch("allocations", Allocation.objects.select_related("invoice")),
                   Prefetch("late_charge_payments",
                            LateChargePayment.objects.select_related("late_charge")),
                   "refunds", "disputes")
               .filter(pk=pk).first())
    if payment is None:
        raise Http404("No such payment.")
    return payment


def payment_for_update(pk: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=pk)


def uncollected_credit_notes(account_ids=None) -> list[dict]:
    """Issued credit notes that left money owed back (their entry credited customer credits)
    and are not a CustomerCredit yet: pk, account_id, currency, issue_on, owed (negative: the
    credit's document amount) and rate, in one grouped query."""
    notes = CreditNote.objects.filter(
        state=CreditNoteState.ISSUED, customer_credit__isnull=True,
        journal_entry__lines__gl_account__code=chart.CUSTOMER_CREDITS)
    if account_ids is not None:
        notes = notes.filter(account_id__in=list(account_ids))
    rows = notes.values("pk", "account_id", "currency", "issue_on").annotate(
        owed=Sum("journal_entry__lines__document_amount"),
        rate=Max("journal_entry__lines__rate"))
    return [row for row in rows if row["owed"] and row["owed"] < 0]


def credit_balances(account_ids=None) -> dict[tuple[int, str], Decimal]:
    """Customer credit per (account, currency): unapplied cash and what credit notes left owed
    back, collected into CustomerCredit rows or not yet, in three grouped queries (all accounts,
    or those of `account_ids`)."""
    payments = Payment.objects.filter(state__in=HELD_STATES)
    notes = CustomerCredit.objects.all()
    if account_ids is not None:
        payments = payments.filter(account_id__in=account_ids)
        notes = notes.filter(account_id__in=account_ids)
    balances: dict[tuple[int, str], Decimal] = {}
    for row in uncollected_credit_notes(account_ids):
        key = (row["account_id"], row["currency"])
        balances[key] = balances.get(key, ZERO) - row["owed"]
    for rows in (payments.order_by().values("account_id", "currency").annotate(
                     left=Sum("amount") - Sum("amount_applied") - Sum("amount_refunded")
                     - Sum("amount_disputed")),
                 notes.order_by().values("account_id", "currency").annotate(
                     left=Sum("amount") - Sum("amount_applied") - Sum("amount_refunded"))):
        for row in rows:
            key = (row["account_id"], row["currency"])
            balances[key] = balances.get(key, ZERO) + (row["left"] or ZERO)
    return {key: round_money(amount, key[1]) for key, amount in balances.items()}


def credit_balance(account, currency: str) -> Decimal:
    """The account's credit in one currency (see credit_balances)."""
    return credit_balances([account.pk]).get((account.pk, currency), ZERO)


def credits_visible_to(user) -> QuerySet[CustomerCredit]:
    """Credit-note credits of the accounts the user may see payments of."""
    return visible_to(CustomerCredit.objects.select_related("account", "credit_note"), user,
                      view="payments.view_customercredit",
                      view_team="payments.view_team_payments",
                      view_all="payments.view_all_payments", owner="account__owner")


def credit_for_detail(*, pk: int, user) -> CustomerCredit:
    credit = credits_visible_to(user).filter(pk=pk).first()
    if credit is None:
        raise Http404("No such credit.")
    return credit


@dataclass(frozen=True)
class EarlyDiscount:
    amount: Decimal
    until: date
    percent: Decimal
    tax: Decimal = Decimal("0")  # the part of the amount that corrects the invoice's tax
    mode: DiscountTaxMode = DiscountTaxMode.ON_EARLY_PAYMENT


def early_terms(invoice: Invoice) -> tuple[Decimal, int, DiscountTaxMode]:
    """The early-payment percent, window in days and tax mode an invoice was issued with
    (recorded on it at issue); an invoice issued before they were recorded takes its
    account's terms and the company's mode."""
    if invoice.early_discount_tax_mode:
        return (invoice.early_discount_percent, invoice.early_discount_days,
                DiscountTaxMode(invoice.early_discount_tax_mode))
    terms = invoice.account.payment_terms
    return (terms.early_discount_percent, terms.early_discount_days,
            DiscountTaxMode(early_discount_tax_mode()))


def early_discount(invoice: Invoice, on: date) -> EarlyDiscount | None:
    """The discount the invoice's terms grant if the rest of it is paid on `on`, while inside
    the window counted from the issue date: a percentage of what is due, or of its net, as the
    tax mode recorded on the invoice says (payments.cash_discount)."""
    percent, days, mode = early_terms(invoice)
    if not percent or invoice.issue_on is None or not invoice.is_open:
        return None
    until = invoice.issue_on + timedelta(days=days)
    if on > until:
        return None
    booking = early_payment_discount(invoice.amount_due, invoice.subtotal, invoice.tax_total,
                                     percent, invoice.currency, mode)
    if booking.discount <= 0:
        return None
    return EarlyDiscount(booking.discount, until, percent, booking.tax, mode)


def to_pay(invoice: Invoice, offer: EarlyDiscount | None) -> Decimal:
    """What settles the invoice now: what is due less the early-payment discount on offer
    (`early_discount(invoice, on)`), if any."""
    return invoice.amount_due - (offer.amount if offer else 0)


@dataclass(frozen=True)
class Suggestion:
    invoice: Invoice
    reason: str


INVOICE_NUMBER = re.compile(r"[A-Z]{2,5}-\d{4}-\d{3,}", re.IGNORECASE)


def suggest_invoices(*, amount: Decimal, currency: str, reference: str,
                     account=None) -> list[Suggestion]:
    """Open invoices this cash is probably for: those whose number is in the reference; else
    the one open invoice due exactly this amount (in the account, or anywhere if none given)."""
    numbers = {n.upper() for n in INVOICE_NUMBER.findall(reference or "")}
    invoices = Invoice.objects.filter(state__in=OPEN_STATES, amount_due__gt=0,
                                      currency=currency).select_related("account")
    if account is not None:
        invoices = invoices.filter(account=account)
    if numbers:
        named = list(invoices.filter(number__in=numbers).order_by("due_on", "pk"))
        if named:
            return [Suggestion(i, f"{i.number} is in the reference") for i in named]
    exact = list(invoices.filter(amount_due=amount)[:2])
    if len(exact) == 1:
        return [Suggestion(exact[0], "the only open invoice due exactly "
                                         f"{format_money(amount, currency)}")]
    return []


def open_invoices_of(account, currency: str) -> QuerySet[Invoice]:
    return open_invoices_for(account, currency).select_related("account__payment_terms")


def dunning_events(*, invoice_id: int | None = None, action: str = ""):
    """Dunning steps taken, latest first, with their emails (deliveries); of one invoice when
    given (its dunning history)."""
    events = DunningEvent.objects.select_related("invoice", "account").prefetch_related(
        "deliveries").order_by("-taken_on", "-pk")
    if invoice_id:
        events = events.filter(invoice_id=invoice_id)
    return events.filter(action=action) if action else events


def late_charges_visible_to(user) -> QuerySet[LateCharge]:
    """Late charges of the accounts the user may see payments of (as payments_visible_to)."""
    return visible_to(LateCharge.objects.select_related("account", "invoice"), user,
                      view="payments.view_latecharge", view_team="payments.view_team_payments",
                      view_all="payments.view_all_payments", owner="account__owner")


def late_charge_for_detail(*, pk: int, user) -> LateCharge:
    charge = late_charges_visible_to(user).filter(pk=pk).first()
    if charge is None:
        raise Http404("No such late charge.")
    return charge



def dunning_ran_on(day: date) -> bool:
    """Whether the dunning run of `day` has completed (then the page has no preview to show)."""
    return DunningRun.objects.filter(run_on=day, state=DunningRunState.COMPLETED).exists()


def recent_dunning_runs(limit: int = 10) -> QuerySet[DunningRun]:
    return DunningRun.objects.all()[:limit]


def recent_statement_imports(limit: int = 10) -> QuerySet[StatementImport]:
    return StatementImport.objects.select_related("uploaded_by")[:limit]
