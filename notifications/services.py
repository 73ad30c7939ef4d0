"""The verbs: tell users it is their turn (`notify`, `mark_read`), and email customer documents
(`queue_delivery`, `send_delivery`, `retry_due_deliveries`, `send_again`; a run's many emails
with `queue_deliveries` and `send_queued_deliveries`)."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.db.models import F

from core import clock
from core.actors import Actor, require
from core.bulk_rows import insert_tuples, json_column, update_columns
from core.dates import business_date
from core.models import TransitionLog
from core.outbox import enqueue
from core.transitions import run_transition
from notifications.models import (
    Delivery,
    DeliveryAttachment,
    DeliveryState,
    Notification,
    NotificationPreference,
)

log = logging.getLogger(__name__)

SEND_PERMISSION = "notifications.send_delivery"
SEND_REFUSAL = "You are not allowed to send documents by email."
# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last the delivery stays
# failed until someone presses Send again (a bad address does not heal by waiting).
BACKOFF_MINUTES = (1, 5, 30, 120)
NO_ADDRESS = "The account has no contact with an email address."


# Notifications --------------------------------------------------------------------------------

@transaction.atomic
def notify(users: Iterable, *, kind: str, text: str, url: str, document,
           email: bool = True) -> list[Notification]:
    """One inbox entry per user (each once), emailed after commit to those who want email."""
    kind_of = ContentType.objects.get_for_model(document)
    made = Notification.objects.bulk_create([
        Notification(user=user, kind=kind, text=text[:300], url=url, content_type=kind_of,
                     object_id=document.pk)
        for user in {u.pk: u for u in users if u.is_active}.values()])
    ids = [n.pk for n in made]
    if ids and email:  # through the outbox: a broker that is down delays the email only
        enqueue("notifications.tasks.email_notifications_task", ids)
    return made


def email_notifications(ids: Sequence[int]) -> int:
    """Email the notifications not yet emailed to users who keep email on; the count sent."""
    off = NotificationPreference.objects.filter(by_email=False).values("user")
    pending = (Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
               .exclude(user__in=off).exclude(user__email="").select_related("user"))
    sent = 0
    for note in pending:
        if not Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
                emailed_at=clock.now()):
            continue  # another worker sent it
        link = settings.SITE_URL + note.url if note.url else ""
        send_mail(subject=note.text, message=f"{note.text}\n\n{link}\n",
                  from_email=None, recipient_list=[note.user.email])
        sent += 1
    return sent


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all when no ids are given)."""
    mine = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=list(ids))
    return mine.update(read_at=clock.now())


# Deliveries -----------------------------------------------------------------------------------

@transaction.atomic
def queue_delivery(*, document, to: Sequence[str], subject: str, body: str,
                   attachments: Sequence[tuple[str, bytes, str]] = (), by,
                   reply_to: Sequence[str] = (), send_after_commit: bool = True) -> Delivery:
    """Record the email of a document and send it after commit (by a task), unless the caller
    is that task already and sends it itself."""
    require(by, SEND_PERMISSION, SEND_REFUSAL)
    delivery = Delivery.objects.create(document=document, to=list(to), subject=subject,
                                       body=body, reply_to=[a for a in reply_to if a])
    DeliveryAttachment.objects.bulk_create([
        DeliveryAttachment(delivery=delivery, filename=name, content=content, mimetype=mime)
        for name, content, mime in attachments])
    if send_after_commit:
        _send_after_commit(delivery.pk)
    return delivery


def _send_after_commit(pk: int) -> None:
    enqueue("notifications.tasks.send_delivery_task", pk)


def retry_at_after(attempts: int):
    """When a delivery that failed `attempts` times is tried again (None: it is not)."""
    if attempts > len(BACKOFF_MINUTES):
        return None
    return clock.now() + timedelta(minutes=BACKOFF_MINUTES[attempts - 1])


@transaction.atomic
def send_delivery(*, delivery_id: int) -> Delivery:
    """Send a queued delivery once: sent, or failed with the reason and when it is retried."""
    actor = Actor.task("send_delivery")
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.state != DeliveryState.QUEUED:
        return delivery  # sent already, or failed and waiting for its retry
    message = EmailMessage(subject=delivery.subject, body=delivery.body, to=delivery.to,
                           reply_to=delivery.reply_to or None)
    for attachment in delivery.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    try:
        message.send()
    except Exception as error:  # any transport failure is the delivery's reason, not a 500
        log.warning("Delivery %s failed: %s", delivery.pk, error)
        reason = f"{type(error).__name__}: {error}"
        return run_transition(delivery, "mark_failed", by=actor, note=reason, reason=reason,
                              retry_at=retry_at_after(delivery.attempts + 1))
    return run_transition(delivery, "mark_sent", by=actor, note=f"Sent to {', '.join(delivery.to)}",
                          at=clock.now())


def retry_due_deliveries() -> list[int]:
    """Queue again the failed deliveries whose backoff has passed, and send them."""
    actor = Actor.task("retry_deliveries")
    due = list(Delivery.objects.filter(state=DeliveryState.FAILED,
                                       next_attempt_at__lte=clock.now())
               .order_by("pk").values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=pk)
            if delivery.state == DeliveryState.FAILED:
                run_transition(delivery, "retry", by=actor, note="Retried after backoff")
                _send_after_commit(pk)
    return due


@transaction.atomic
def send_again(*, delivery, by, to: Sequence[str] | None = None) -> Delivery:
    """A new delivery of the same email and attachments (to the same or other addresses)."""
    require(by, SEND_PERMISSION, SEND_REFUSAL)
    files = [(a.filename, bytes(a.content), a.mimetype) for a in delivery.attachments.all()]
    return queue_delivery(document=delivery.document, to=list(to or delivery.to),
                          subject=delivery.subject, body=delivery.body, attachments=files, by=by,
                          reply_to=delivery.reply_to)


# Deliveries in bulk (a run's emails) ----------------------------------------------------------

@dataclass(frozen=True)
class Mail:
    """One email of a bulk path, to a document of the model given to `queue_deliveries`."""

    object_id: int
    to: Sequence[str]
    subject: str
    body: str


DELIVERY_FIELDS = ("content_type_id", "object_id", "to", "reply_to", "subject", "body", "state",
                   "attempts", "failure_reason", "created_at")
HISTORY_FIELDS = ("content_type_id", "object_id", "transition", "source", "target",
                  "actor_kind", "actor_id", "actor_name", "actor_ip", "note", "business_date",
                  "created_at")


def queue_deliveries(model, mails: Sequence[Mail], *, by) -> int:
    """`queue_delivery` for many emails without attachments, in the caller's transaction: one
    COPY, no instance per row. The caller sends them after commit with `send_queued_deliveries`
    (a task of its own, by the documents' id range). How many were queued."""
    require(by, SEND_PERMISSION, SEND_REFUSAL)
    kind, now, as_json = ContentType.objects.get_for_model(model).pk, clock.now(), \
        json_column()
    return len(insert_tuples(Delivery, DELIVERY_FIELDS, [
        (kind, mail.object_id, as_json(list(mail.to)), as_json([]), mail.subject[:300],
         mail.body, DeliveryState.QUEUED, 0, "", now) for mail in mails]))


def send_queued_deliveries(model, id_range: tuple[int, int], *, by) -> int:
    """Send the queued deliveries of the documents of `model` with ids in `id_range` (first,
    last) once, over one mail connection, and settle them in bulk; how many were sent. The rows
    stay locked while they go, so a second delivery of the caller's task waits and finds none
    queued. By the (document type, id) index: a join to the documents let PostgreSQL, whose
    statistics still saw an empty table, take 3 to 4 s a statement."""
    actor = require(by, SEND_PERMISSION, SEND_REFUSAL)
    with transaction.atomic():
        queued = Delivery.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__range=id_range,
            state=DeliveryState.QUEUED)
        rows = list(queued.select_for_update().order_by("pk").values_list(
            "pk", "to", "subject", "body", "attempts"))
        if not rows:
            return 0
        failed = _send_all(rows)
        _settle(queued, rows, failed, actor)
    return len(rows) - len(failed)


def _send_all(rows: list[tuple]) -> dict[int, str]:
    """Send each (pk, to, subject, body, attempts) over one connection; the failures' reasons
    by pk (an address-less email fails without trying)."""
    failed, mailer = {}, get_connection()
    try:
        mailer.open()
    except Exception as error:  # the server is unreachable: every email waits for its retry
        return {pk: f"{type(error).__name__}: {error}" for pk, *_ in rows}
    try:
        for pk, to, subject, body, _ in rows:
            if not to:
                failed[pk] = NO_ADDRESS
                continue
            try:
                mailer.send_messages([EmailMessage(subject, body, to=to)])
            except Exception as error:  # this email's reason, retried with backoff
                failed[pk] = f"{type(error).__name__}: {error}"
    finally:
        mailer.close()
    return failed


def _settle(queued, rows: list[tuple], failed: dict[int, str], actor) -> None:
    """The transitions `mark_sent` and `mark_failed`, in bulk: the sent ones in one update, the
    failed ones (few, each with its reason and next try) in one more, and one COPY of their
    history rows."""
    now, today = clock.now(), business_date()
    queued.filter(pk__lte=rows[-1][0]).exclude(pk__in=list(failed)).update(
        state=DeliveryState.SENT, attempts=F("attempts") + 1, sent_at=now, failure_reason="",
        next_attempt_at=None)
    update_columns(Delivery, [
        Delivery(pk=pk, state=DeliveryState.FAILED, attempts=attempts + 1,
                 failure_reason=failed[pk][:500],
                 next_attempt_at=None if failed[pk] == NO_ADDRESS else retry_at_after(attempts + 1))
        for pk, *_, attempts in rows if pk in failed],
        ["state", "attempts", "failure_reason", "next_attempt_at"])
    kind = ContentType.objects.get_for_model(Delivery).pk
    insert_tuples(TransitionLog, HISTORY_FIELDS, [
        (kind, pk, "mark_failed", DeliveryState.QUEUED, DeliveryState.FAILED, actor.kind,
         actor.user.pk, actor.label, None, failed[pk], today, now) if pk in failed else
        (kind, pk, "mark_sent", DeliveryState.QUEUED, DeliveryState.SENT, actor.kind,
         actor.user.pk, actor.label, None, f"Sent to {', '.join(to)}", today, now)
        for pk, to, *_ in rows])
