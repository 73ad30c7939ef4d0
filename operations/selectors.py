"""The questions of the operations page, the role homes and /health/: stalled runs, refused
scheduled runs, the broker (queue depth, workers seen), the outbox backlog, beat's last tick,
and the customer emails and webhooks that could not be delivered. No writes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db.models import Count, F, Min, Value
from django.urls import reverse

from billing.models import InvoiceRun
from core import clock
from core.models import OutboxMessage, ServiceBeat
from notifications.models import Delivery as EmailDelivery
from notifications.models import DeliveryState as EmailState
from operations.models import RefusalState, RunRefusal
from payments.models import DunningRun
from revrec.models import RecognitionRun
from webhooks.models import Delivery as WebhookDelivery
from webhooks.models import DeliveryState as WebhookState
from webhooks.models import Endpoint

# Beat's relay ticks every minute; more than this without a tick means beat (or every worker)
# is down.
BEAT_LATE_AFTER = timedelta(minutes=5)
# How long the operations page and /health/ wait for the broker and for workers to answer.
BROKER_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class StalledRun:
    label: str
    state: str
    since: datetime
    url: str


def _stalled(model, kind: str, day: str):
    return (model.objects.filter(model.stalled_filter()).order_by()
            .annotate(kind=Value(kind), day=F(day))
            .values_list("kind", "pk", "state", "heartbeat_at", "day"))


def stalled_runs() -> list[StalledRun]:
    """Every live run with no progress for settings.RUN_STALLED_AFTER_MINUTES (one query)."""
    rows = _stalled(InvoiceRun, "invoice", "as_of").union(
        _stalled(RecognitionRun, "recognition", "month"),
        _stalled(DunningRun, "dunning", "run_on"), all=True)
    found = []
    for kind, pk, state, since, day in rows:
        if kind == "invoice":
            label, url = f"Invoice run {pk}", reverse("billing:run", args=[pk])
        elif kind == "recognition":
            label, url = f"Recognition {day:%B %Y}", reverse("revrec:run", args=[pk])
        else:
            label, url = f"Dunning run {day:%Y-%m-%d}", reverse("payments:dunning")
        found.append(StalledRun(label, state.capitalize(), since, url))
    return sorted(found, key=lambda r: r.since)


# The refused runs the operations page lists below the open alerts, newest first.
REFUSALS_SHOWN = 20


def _refusals():
    return RunRefusal.objects.select_related(
        "blocking_invoice_run", "blocking_recognition_run", "started_invoice_run",
        "started_recognition_run", "closed_by")


def refused_run_alerts() -> list[RunRefusal]:
    """The scheduled runs refused and not yet started since nor dismissed: the alerts of the
    operations page and finance's home (one query)."""
    return list(_refusals().filter(state=RefusalState.OPEN))


def closed_refusals() -> list[RunRefusal]:
    """The latest refused runs that a later run settled or someone dismissed (one query)."""
    return list(_refusals().exclude(state=RefusalState.OPEN)[:REFUSALS_SHOWN])


@dataclass(frozen=True)
class Broker:
    status: str  # "ok", "eager" (no broker: tasks run in the web process) or "unreachable"
    detail: str = ""
    queue_depth: int | None = None
    workers: tuple[str, ...] = ()


def broker(*, with_workers: bool = False) -> Broker:
    """The broker's answer: messages waiting on the project's queue, and (asked for) the
    workers that answered a ping."""
    if current_app.conf.task_always_eager:
        return Broker("eager", "No broker is set: tasks run in the web process.")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        with current_app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            try:
                depth = conn.default_channel.queue_declare(queue=queue,
                                                           passive=True).message_count
            except conn.channel_errors:  # it answered: no such queue (Redis drops empty ones)
                depth = 0
    except Exception as error:  # noqa: BLE001 - any failure to reach it is the answer
        return Broker("unreachable", f"{type(error).__name__}: {error}"[:200])
    workers = ()
    if with_workers:
        replies = current_app.control.ping(timeout=BROKER_TIMEOUT_SECONDS) or []
        workers = tuple(sorted(name for reply in replies for name in reply))
    return Broker("ok", queue_depth=depth, workers=workers)


@dataclass(frozen=True)
class Beat:
    last_tick: datetime | None
    late: bool


def beat(now: datetime | None = None) -> Beat:
    tick = ServiceBeat.objects.filter(name="beat").values_list("seen_at", flat=True).first()
    return Beat(tick, tick is None or tick < (now or clock.now()) - BEAT_LATE_AFTER)


def outbox_backlog() -> dict:
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    oldest = waiting.order_by("pk").first()
    return {"count": waiting.count(), "oldest": oldest}


@dataclass(frozen=True)
class Undelivered:
    emails_failed: int
    oldest_email: datetime | None
    webhooks_failed: int
    endpoints_disabled: int


def undelivered() -> Undelivered:
    """Customer emails that gave up, webhook deliveries that gave up and endpoints disabled for
    failing (three aggregate queries)."""
    emails = EmailDelivery.objects.filter(state=EmailState.FAILED).aggregate(
        count=Count("pk"), oldest=Min("created_at"))
    return Undelivered(
        emails_failed=emails["count"], oldest_email=emails["oldest"],
        webhooks_failed=WebhookDelivery.objects.filter(state=WebhookState.FAILED).count(),
        endpoints_disabled=Endpoint.objects.filter(disabled_at__isnull=False).count())
