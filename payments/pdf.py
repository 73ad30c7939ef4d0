"""The customer statement: what an account owes today (open invoices and their aging), its
credit balance, its unpaid late charges, and the invoices, credit notes and payments of a period;
context, template, WeasyPrint bytes
(billing.pdf renders). Nothing here writes."""

from datetime import date

from django.db.models import Q

from billing.aging import BUCKET_LABELS
from billing.models import CreditNote, CreditNoteState, Invoice, InvoiceState
from billing.selectors import open_invoices
from core.pdf import letterhead, render_pdf
from customers.models import Account
from payments.aging import ar_aging
from payments.models import (
    CustomerCredit,
    LateCharge,
    LateChargeState,
    Payment,
    PaymentState,
)
from payments.selectors import credit_balance
from payments.services.late_charges import late_charge_summary

STATEMENT_TEMPLATE = "payments/pdf/statement.html"


def statement_context(account, *, start: date, end: date) -> dict:
    """Open invoices, aging and credit balance as of `end`; activity between start and end."""
    accounts = Account.objects.filter(pk=account.pk)
    aging = ar_aging(as_of=end, accounts=accounts)
    payments = list(Payment.objects.filter(account=account, received_on__range=(start, end))
                    .exclude(state__in=[PaymentState.PENDING, PaymentState.FAILED])
                    .order_by("received_on", "pk"))
    credit_currencies = set(CustomerCredit.objects.filter(account=account).values_list(
        "currency", flat=True))
    currencies = sorted({row.currency for row in aging.rows} | credit_currencies
                        | {p.currency for p in payments} | {account.currency})
    return {
        "account": account, "start": start, "end": end,
        "company": letterhead(),
        "open_invoices": list(open_invoices(accounts).order_by("currency", "due_on", "pk")),
        "aging": aging, "labels": BUCKET_LABELS,
        "issued": list(Invoice.objects.filter(account=account, issue_on__range=(start, end))
                       .filter(~Q(state__in=[InvoiceState.DRAFT])).order_by("issue_on", "pk")),
        "payments": payments,
        "credit_notes": list(CreditNote.objects.filter(
            account=account, state=CreditNoteState.ISSUED, issue_on__range=(start, end))
            .select_related("invoice")
            .order_by("issue_on", "pk")),
        "late_charges": list(LateCharge.objects.filter(
            account=account, state=LateChargeState.ISSUED).order_by("issue_on", "pk")),
        "credits": [(c, credit) for c in currencies
                    if (credit := credit_balance(account, c)) > 0],
    }


def render_statement_pdf(account, *, start: date, end: date) -> bytes:
    return render_pdf(STATEMENT_TEMPLATE, statement_context(account, start=start, end=end))


LATE_CHARGE_TEMPLATE = "payments/pdf/late_charge.html"


def render_late_charge_pdf(charge) -> bytes:
    """The late charge as the customer receives it: what it is for and how it was computed."""
    return render_pdf(LATE_CHARGE_TEMPLATE, {"charge": charge, "company": letterhead(),
                                             "account": charge.account,
                                             "slices": late_charge_summary(charge)})
