"""Recording domain events in the outbox (core.models.Event), in the caller's transaction.

A service records what others must hear of after it has done it; whoever delivers events
(webhooks/, above every stage) reads the outbox, so no stage imports its listeners.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from core.models import Event


def record_event(event_type: str, document, **data) -> Event:
    return Event.objects.create(type=event_type, document=document, data=data)


def record_events(event_type: str, documents: Iterable) -> list[Event]:
    """The bulk form (issuing a run's invoices): one insert."""
    documents = list(documents)
    if not documents:
        return []
    kind = ContentType.objects.get_for_model(documents[0])
    return Event.objects.bulk_create([Event(type=event_type, content_type=kind,
                                            object_id=document.pk) for document in documents])
