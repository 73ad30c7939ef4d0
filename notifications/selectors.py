"""The questions: a user's inbox and unread count, a document's deliveries, the outbox."""

from django.contrib.contenttypes.models import ContentType

from notifications.models import Delivery, DeliveryState, Notification


def inbox_of(user):
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_of(document):
    """A document's emails, newest first (its delivery history)."""
    return Delivery.objects.filter(content_type=ContentType.objects.get_for_model(document),
                                   object_id=document.pk).prefetch_related("attachments")


def outbox(state: str = ""):
    """Every delivery, or those in `state` (a DeliveryState value; anything else: all)."""
    deliveries = Delivery.objects.select_related("content_type").prefetch_related("attachments")
    return deliveries.filter(state=state) if state in DeliveryState.values else deliveries
