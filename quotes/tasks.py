"""Quotes' Celery tasks: each one line of glue around a service, taking ids."""

from celery import shared_task
from django.core.mail import send_mail

from core.actors import Actor
from quotes.services.sending import expire_due_quotes


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_quote_owner_task(to: str, subject: str, body: str) -> None:
    """An approval decision told to the quote's owner."""
    send_mail(subject, body, None, [to])


@shared_task
def expire_due_quotes_task() -> int:
    return len(expire_due_quotes(by=Actor.task("expire_due_quotes")))
