"""Recording domain events in the outbox (core.models.Event), in the caller's transaction.

A service records what others must hear of after it has done it; whoever delivers events
(webhooks/, above every stage) reads the outbox, so no stage imports its listeners.
"""

from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType

from core import clock
from core.bulk_rows import insert_tuples, json_column
from core.models import Event

EVENT_FIELDS = ("type", "content_type_id", "object_id", "data", "occurred_at")


def record_event(event_type: str, document, **data) -> Event:
    return Event.objects.create(type=event_type, document=document, data=data)


def record_events(event_type: str, documents: Iterable) -> list[int]:
    """The bulk form (issuing a run's invoices): one COPY; the events' ids."""
    documents = list(documents)
    if not documents:
        return []
    return record_events_of(event_type, type(documents[0]), [d.pk for d in documents])


def record_events_of(event_type: str, model, ids: Sequence[int]) -> list[int]:
    """The same by the documents' ids, for a bulk path that holds no model instance per row (a
    dunning chunk's 5,000 steps: 0.10 s, against 0.86 s through bulk_create)."""
    if not ids:
        return []
    kind, now, data = ContentType.objects.get_for_model(model).pk, clock.now(), \
        json_column()({})
    return insert_tuples(Event, EVENT_FIELDS, [(event_type, kind, pk, data, now) for pk in ids])
