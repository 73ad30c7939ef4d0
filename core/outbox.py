"""Enqueueing Celery tasks through the transactional outbox (core.models.OutboxMessage).

`enqueue(task, *args)` writes the message in the caller's transaction and tries to send it once
that commits. A broker that refuses leaves it unsent (with the error) instead of raising after
the work committed; `relay()`, which beat starts every minute, sends it when the broker is back.
A message may go twice (the relay's transaction dies after the broker took it): every task is
idempotent, so at-least-once is what the project wants. Without a broker (eager mode, tests)
each message is taken, then its task runs here, as `delay()` would.
"""

import logging

from celery import current_app
from celery.utils.imports import symbol_by_name
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from core import clock
from core.models import OutboxMessage, ServiceBeat

log = logging.getLogger(__name__)

# Messages the relay sends per transaction: each is one publish (about a millisecond on a
# local Redis); a batch holds its rows locked until the last one went.
RELAY_BATCH = 500


def _name(task) -> str:
    return task if isinstance(task, str) else task.name


def enqueue(task, *args) -> OutboxMessage:
    """Queue `task(*args)` once the current transaction commits (or now, outside one)."""
    return enqueue_many(task, [args])[0]


def enqueue_many(task, arg_lists) -> list[OutboxMessage]:
    """One message per argument list, one insert."""
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=_name(task), args=list(args)) for args in arg_lists])
    if messages:
        ids = [m.pk for m in messages]
        transaction.on_commit(lambda: send(ids))
    return messages


def _task(name: str):
    """The task by its name; a task named by its dotted path is imported on first use (so a
    service may queue a task without importing its module). None: known only to the workers."""
    task = current_app.tasks.get(name)
    if task is None:
        try:
            task = symbol_by_name(name)
        except (ImportError, AttributeError, ValueError):
            return None
    return task


def _publish(message: OutboxMessage) -> None:
    task = _task(message.task)
    if task is None:
        current_app.send_task(message.task, args=message.args)
    else:
        task.apply_async(args=message.args)


def _run_eagerly(ids) -> int:
    """No broker: take each message (one UPDATE), then run its task here."""
    done = 0
    for message in OutboxMessage.objects.filter(sent_at__isnull=True, **ids).order_by("pk"):
        if OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
                sent_at=clock.now(), attempts=message.attempts + 1):
            _publish(message)
            done += 1
    return done


def send(ids=None) -> int:
    """Send the unsent messages given (or the oldest RELAY_BATCH); how many went. Stops at the
    first refusal of the broker, which is recorded on the message."""
    which = {"pk__in": list(ids)} if ids is not None else {}
    if current_app.conf.task_always_eager:
        return _run_eagerly(which)
    sent = 0
    with transaction.atomic():
        messages = list(OutboxMessage.objects.select_for_update(skip_locked=True)
                        .filter(sent_at__isnull=True, **which).order_by("pk")[:RELAY_BATCH])
        for message in messages:
            message.attempts += 1
            try:
                _publish(message)
            except (BrokerError, OSError) as error:
                message.last_error = f"{type(error).__name__}: {error}"[:255]
                message.save(update_fields=["attempts", "last_error"])
                log.warning("Broker refused %s; the outbox keeps it: %s", message, error)
                break
            message.sent_at, message.last_error = clock.now(), ""
            message.save(update_fields=["attempts", "sent_at", "last_error"])
            sent += 1
    return sent


def relay() -> int:
    """Beat's minute: note that beat is alive, then send what is still waiting."""
    ServiceBeat.objects.update_or_create(name="beat", defaults={"seen_at": clock.now()})
    return send()


def backlog() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()
