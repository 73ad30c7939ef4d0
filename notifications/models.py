"""Notifications (someone's turn, in their inbox and by email) and deliveries (a customer
document emailed: queued, sent, or failed with the reason, each attempt in the history)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from core import clock


class Notification(models.Model):
    """Tells one user that it is their turn to act on a document."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(max_length=64, help_text="What happened, e.g. quote.accepted.")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True, help_text="The document's page.")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    """A user's choice of channels: the inbox always, email unless they turn it off."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    by_email = models.BooleanField(default=True, help_text="Also send each notification by "
                                                           "email.")

    def __str__(self):
        return f"{self.user}: {'inbox and email' if self.by_email else 'inbox only'}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(FSMModelMixin, models.Model):
    """One email of one customer document (invoice, credit note, countersigned contract):
    what was sent, to whom, and whether it went. Send again makes a new delivery; a failed one
    is retried with backoff."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    to = models.JSONField(default=list, help_text="Recipient addresses.")
    reply_to = models.JSONField(default=list, blank=True,
                                help_text="Where the customer's answer goes (e.g. the rep).")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    state = FSMField(default=DeliveryState.QUEUED, choices=DeliveryState.choices,
                     protected=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["content_type", "object_id"]),
                   models.Index(fields=["state", "next_attempt_at"])]
        permissions = [("send_delivery", "Can send and resend documents by email"),
                       ("view_outbox", "Can see every email the app sent (the outbox)")]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    @transition(field=state, source=DeliveryState.QUEUED, target=DeliveryState.SENT,
                permission="notifications.send_delivery")
    def mark_sent(self, *, at):
        self.attempts += 1
        self.sent_at, self.failure_reason, self.next_attempt_at = at, "", None

    @transition(field=state, source=DeliveryState.QUEUED, target=DeliveryState.FAILED,
                permission="notifications.send_delivery")
    def mark_failed(self, *, reason: str, retry_at):
        self.attempts += 1
        self.failure_reason, self.next_attempt_at = reason[:500], retry_at

    @transition(field=state, source=DeliveryState.FAILED, target=DeliveryState.QUEUED,
                permission="notifications.send_delivery")
    def retry(self):
        self.next_attempt_at = None


class DeliveryAttachment(models.Model):
    """The bytes sent, kept so a retry sends exactly what the first attempt would have."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.filename
