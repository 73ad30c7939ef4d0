"""Celery glue: each task takes ids and calls one service."""

from celery import shared_task
from django.db import OperationalError

from notifications import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_delivery_task(delivery_id: int) -> None:
    services.send_delivery(delivery_id=delivery_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def retry_due_deliveries_task() -> None:
    services.retry_due_deliveries()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def email_notifications_task(notification_ids: list[int]) -> None:
    services.email_notifications(notification_ids)
