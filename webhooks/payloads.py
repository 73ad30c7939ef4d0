"""What a webhook carries: the API's own object for the event's document, as the API would
answer for it now (serialized when the delivery is sent), with the event's own facts."""

from django.db.models import Prefetch

from billing.api import CreditNoteSerializer, InvoiceSerializer
from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from core.external_ids import with_external_ids
from core.models import Event
from payments.api import PaymentSerializer
from payments.models import Allocation, Payment, Refund
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


# "app_label.model" of the event's document → (its queryset, the API's serializer)
OBJECTS = {
    "billing.invoice": (_invoices, InvoiceSerializer),
    "billing.creditnote": (_credit_notes, CreditNoteSerializer),
    "quotes.quote": (_quotes, QuoteSerializer),
    "payments.payment": (_payments, PaymentSerializer),
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
