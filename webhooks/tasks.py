"""Webhook tasks: glue around webhooks.services, idempotent."""

from celery import shared_task

from webhooks import services


@shared_task
def deliver_task(delivery_id: int) -> None:
    services.deliver(delivery_id)


@shared_task
def publish_events_task() -> None:
    """Queue deliveries of new outbox events, and send the ones now due (new and retries)."""
    services.publish_events()
    for delivery_id in services.due_deliveries():
        deliver_task.delay(delivery_id)
