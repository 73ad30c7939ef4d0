"""Publishing outbox events to endpoints, delivering them signed, retrying with backoff, and
replaying a delivery on demand.

`publish_events` turns events not yet published into one delivery per interested endpoint
(idempotent: a unique (endpoint, event) and `published_at`). `deliver` sends one delivery:
a 2xx answer settles it; anything else is logged and tried again after an exponential backoff,
until MAX_ATTEMPTS; an endpoint failing DISABLE_AFTER times in a row is disabled and its owner
emailed. Sending happens outside any transaction: the receiver may be slow.
"""

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from core import clock
from core.models import Event
from core.outbox import enqueue
from webhooks import payloads, signatures
from webhooks.models import Attempt, Delivery, DeliveryState, Endpoint

PUBLISH_BATCH = 500  # events per publish run: one insert of deliveries per batch
MAX_ATTEMPTS = 8  # 1 try and 7 retries over about 21 hours
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=12)
DISABLE_AFTER = 20  # failed attempts in a row (across deliveries) before an endpoint stops
TIMEOUT_SECONDS = 10
USER_AGENT = "Q2C-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4, 8 ... minutes."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@transaction.atomic
def publish_events(*, limit: int = PUBLISH_BATCH) -> list[int]:
    """Queue a delivery of each unpublished event to every active endpoint that wants it;
    returns the new deliveries' ids."""
    events = list(Event.objects.select_for_update(skip_locked=True)
                  .filter(published_at__isnull=True).order_by("pk")[:limit])
    if not events:
        return []
    endpoints = list(Endpoint.objects.filter(active=True))
    now = clock.now()
    planned = [Delivery(endpoint=endpoint, event=event, next_attempt_at=now)
               for event in events for endpoint in endpoints if endpoint.wants(event.type)]
    Delivery.objects.bulk_create(planned, ignore_conflicts=True)
    Event.objects.filter(pk__in=[e.pk for e in events]).update(published_at=now)
    return list(Delivery.objects.filter(event__in=events, state=DeliveryState.PENDING)
                .values_list("pk", flat=True))


def _send(endpoint: Endpoint, body: bytes, now: datetime) -> tuple[int | None, str]:
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        signatures.HEADER: signatures.sign(endpoint.secret, int(now.timestamp()), body)})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:255]


def deliver(delivery_id: int, *, now: datetime | None = None) -> Delivery:
    """Try one pending delivery that is due (anything else is left as it is)."""
    now = now or clock.now()
    delivery = Delivery.objects.select_related("endpoint", "event__content_type").get(
        pk=delivery_id)
    if (delivery.state != DeliveryState.PENDING or not delivery.endpoint.active
            or (delivery.next_attempt_at and delivery.next_attempt_at > now)):
        return delivery
    body = json.dumps(payloads.body_of(delivery.event), cls=DjangoJSONEncoder).encode()
    started = time.monotonic()
    status, error = _send(delivery.endpoint, body, now)
    duration = int((time.monotonic() - started) * 1000)
    return _record(delivery, status=status, error=error, at=now, duration_ms=duration)


@transaction.atomic
def _record(delivery: Delivery, *, status, error: str, at: datetime,
            duration_ms: int) -> Delivery:
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(
        pk=delivery.pk)
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    Attempt.objects.create(delivery=delivery, at=at, status_code=status,
                           error=error or ("" if status and status < 300 else
                                           f"HTTP {status}"), duration_ms=duration_ms)
    delivery.attempts += 1
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryState.SUCCEEDED, at, None)
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        else:
            delivery.next_attempt_at = at + backoff(delivery.attempts)
        if endpoint.active and endpoint.consecutive_failures >= DISABLE_AFTER:
            _disable(endpoint, at)
    delivery.save()
    endpoint.save(update_fields=["consecutive_failures", "active", "disabled_at",
                                 "disabled_reason"])
    return delivery


def _disable(endpoint: Endpoint, at: datetime) -> None:
    endpoint.active, endpoint.disabled_at = False, at
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row."
    owner_email = endpoint.owner.email
    if owner_email:
        transaction.on_commit(lambda: send_mail(
            subject=f"Webhook endpoint disabled: {endpoint.url}",
            message=(f"{endpoint.url} failed {endpoint.consecutive_failures} times in a row and "
                     "no longer receives events. Fix it, then enable it again in admin and "
                     "replay the deliveries it missed."),
            from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[owner_email]))


def due_deliveries(*, now: datetime | None = None, limit: int = PUBLISH_BATCH) -> list[int]:
    """Pending deliveries whose time has come, on active endpoints, oldest first."""
    now = now or clock.now()
    return list(Delivery.objects.filter(state=DeliveryState.PENDING, endpoint__active=True,
                                        next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


@transaction.atomic
def replay(*, delivery: Delivery, by) -> Delivery:
    """Send a delivery again (after a fix on the receiver's side): pending now and queued,
    attempts kept in the log."""
    if not by.has_perm("webhooks.change_delivery"):
        raise PermissionDenied("You are not allowed to replay webhook deliveries.")
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    locked.state, locked.next_attempt_at = DeliveryState.PENDING, clock.now()
    locked.attempts = 0
    locked.save(update_fields=["state", "next_attempt_at", "attempts"])
    # Through the outbox: a broker that is down delays the replay, never fails it.
    enqueue("webhooks.tasks.deliver_task", locked.pk)
    return locked


@transaction.atomic
def enable(*, endpoint: Endpoint, by) -> Endpoint:
    """Turn a disabled endpoint back on (its failure count starts again)."""
    if not by.has_perm("webhooks.change_endpoint"):
        raise PermissionDenied("You are not allowed to change webhook endpoints.")
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.active, locked.consecutive_failures = True, 0
    locked.disabled_at, locked.disabled_reason = None, ""
    locked.save(update_fields=["active", "consecutive_failures", "disabled_at",
                               "disabled_reason"])
    return locked
