"""What a webhook carries: the API's own object for the event's document, as the API would
answer for it now (serialized when the delivery is sent), with the event's own facts."""

from django.db.models import Prefetch

from billing.api import CreditNoteSerializer, InvoiceSerializer
from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from contracts.api import ContractSerializer
from contracts.models import Contract, ContractLine
from core.external_ids import with_external_ids
from core.models import Event
from ledger.api import AccountingPeriodSerializer
from ledger.models import AccountingPeriod
from orders.api import OrderSerializer
from orders.models import Order, OrderLine
from payments.api import DunningEventSerializer, PaymentSerializer
from payments.models import Allocation, DunningEvent, Payment, Refund
from quotes.api import QuoteSerializer
from quotes.models import Quote, QuoteLine


def _invoices():
    return Invoice.objects.prefetch_related(
        Prefetch("lines", InvoiceLine.objects.order_by("position", "pk")), "taxes")


def _credit_notes():
    return CreditNote.objects.prefetch_related(
        Prefetch("lines", CreditNoteLine.objects.order_by("position", "pk")), "taxes")


def _quotes():
    lines = QuoteLine.objects.select_related("product").defer("price_snapshot").order_by(
        "position", "pk")
    return with_external_ids(Quote.objects.select_related("owner", "payment_terms").defer(
        "sent_pdf").prefetch_related(Prefetch("lines", lines)))


def _payments():
    return Payment.objects.prefetch_related(
        Prefetch("allocations", Allocation.objects.order_by("pk")),
        Prefetch("refunds", Refund.objects.order_by("pk")))


def _contracts():
    lines = ContractLine.objects.defer("price_snapshot").order_by("position", "start_on", "pk")
    return Contract.objects.select_related("owner").defer("sent_pdf", "terms").prefetch_related(
        Prefetch("lines", lines))


def _orders():
    return Order.objects.prefetch_related(
        Prefetch("lines", OrderLine.objects.order_by("position", "pk")))


def _periods():
    return AccountingPeriod.objects.select_related("closed_by")


def _dunning_steps():
    return DunningEvent.objects.all()


# "app_label.model" of the event's document → (its queryset, the API's serializer)
OBJECTS = {
    "billing.invoice": (_invoices, InvoiceSerializer),
    "billing.creditnote": (_credit_notes, CreditNoteSerializer),
    "quotes.quote": (_quotes, QuoteSerializer),
    "payments.payment": (_payments, PaymentSerializer),
    "contracts.contract": (_contracts, ContractSerializer),
    "orders.order": (_orders, OrderSerializer),
    "ledger.accountingperiod": (_periods, AccountingPeriodSerializer),
    "payments.dunningevent": (_dunning_steps, DunningEventSerializer),
}


def body_of(event: Event) -> dict:
    kind = f"{event.content_type.app_label}.{event.content_type.model}"
    queryset, serializer = OBJECTS.get(kind, (None, None))
    document = queryset().filter(pk=event.object_id).first() if queryset else None
    return {
        "id": f"evt_{event.pk}",
        "type": event.type,
        "created": event.occurred_at.isoformat(),
        "data": {"object": serializer(document).data if document is not None else None,
                 "object_type": kind, "object_id": event.object_id, **event.data},
    }
