"""core's Celery task: the outbox relay, started by beat every minute."""

from celery import shared_task

from core.outbox import relay


@shared_task
def relay_outbox_task() -> int:
    return relay()
