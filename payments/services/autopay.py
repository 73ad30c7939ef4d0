"""Autopay: charge the saved card of accounts with issued invoices not yet charged.

Selection is one set-based query (issued invoices with something due, of accounts with an
active autopay card, with no autopay payment yet), so the task can run every few minutes and
after every bulk issue: an invoice autopay has charged once is never picked again (retries are
dunning's charge-retry step). Pending charges are settled first by asking the gateway.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from billing.models import Invoice, InvoiceState
from core.actors import require
from core.dates import business_date
from payments.models import Payment, PaymentMethod, PaymentState
from payments.services.cards import charge_invoice, settle_pending_payments

# Invoices charged per run: each is a gateway call (~0.3 s on a real gateway), so a run of
# 10 minutes' cadence stays well inside its slot; the rest wait for the next run.
AUTOPAY_BATCH = 500


@dataclass(frozen=True)
class AutopayRun:
    settled: int
    charged: int
    succeeded: int
    failed: int
    pending: int


def invoices_to_autopay(on: date):
    methods = PaymentMethod.objects.filter(account=OuterRef("account"), autopay=True,
                                           active=True)
    charged = Payment.objects.filter(invoice=OuterRef("pk"), autopay=True)
    return (Invoice.objects.filter(state=InvoiceState.ISSUED, amount_due__gt=0,
                                   issue_on__lte=on)
            .filter(Exists(methods)).exclude(Exists(charged)).order_by("pk"))


def run_autopay(*, by, on: date | None = None) -> AutopayRun:
    """Settle pending charges, then charge each invoice due for autopay once."""
    require(by, "payments.charge_card", "You are not allowed to run autopay.")
    day = business_date(on)
    settled = settle_pending_payments(by=by, on=day)
    invoices = list(invoices_to_autopay(day)[:AUTOPAY_BATCH])
    methods = {m.account_id: m for m in PaymentMethod.objects.filter(
        account_id__in={i.account_id for i in invoices}, autopay=True, active=True)}
    states = []
    for invoice in invoices:
        try:
            payment = charge_invoice(invoice=invoice, method=methods[invoice.account_id],
                                     by=by, on=day, autopay=True)
        except ValidationError:
            continue  # paid meanwhile
        states.append(payment.state)
    return AutopayRun(settled=settled, charged=len(states),
                      succeeded=states.count(PaymentState.SUCCEEDED),
                      failed=states.count(PaymentState.FAILED),
                      pending=states.count(PaymentState.PENDING))
