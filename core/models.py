from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core import clock
from core.actors import ActorKind
from core.fields import TimestampField


class TransitionLog(models.Model):
    """One row per state change of any document: what moved, from where to where, who and when."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(max_length=64)
    source = models.CharField(max_length=32)
    target = models.CharField(max_length=32)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_ip = models.GenericIPAddressField(null=True, blank=True)
    note = models.TextField(blank=True)
    business_date = models.DateField()
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.transition}: {self.source} → {self.target} by {self.actor_name}"


class NumberSequence(models.Model):
    """The last number handed out per series (e.g. "invoice-2026"): locked, incremented and
    saved in the caller's transaction, so numbers have no gap and no duplicate."""

    key = models.CharField(max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.key}: {self.last_value}"


class ApiKeyKind(models.TextChoices):
    PERSONAL = "personal", "A person's own key"
    INTEGRATION = "integration", "An integration (CRM, provisioning, ledger)"


class ApiKey(models.Model):
    """A secret a program presents to act as `user`, limited to `scopes` (permission names
    drawn from the role grants). Only the SHA-256 of the secret is kept: the key is shown once,
    when it is issued or rotated (core.api_keys)."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=ApiKeyKind.choices,
                            default=ApiKeyKind.PERSONAL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="api_keys", help_text="Whom the key acts as.")
    prefix = models.CharField(max_length=24, unique=True,
                              help_text="The key's public start, shown to tell keys apart.")
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list, help_text="Permission names, e.g. quotes.add_quote.")
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces",
                                       help_text="The key a rotation issued in its place.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"
        permissions = [("manage_api_keys", "Can issue, rotate and revoke any user's API keys")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an `Idempotency-Key`, replayed for a repeat of the
    same request (same user, key and body) for 24 hours; `status_code` is empty while the first
    request is still being answered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"],
                                               name="idempotencyrecord_once_per_user_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.key} ({self.status_code or 'in progress'})"


class ExternalId(models.Model):
    """Another system's id for one of our documents (a CRM's account id, a product's usage
    source): one per document and kind, never shared by two documents of a kind."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    value = models.CharField(max_length=255)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["content_type", "value"]
        verbose_name = "external ID"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "value"],
                                    name="externalid_unique_value_per_kind"),
            models.UniqueConstraint(fields=["content_type", "object_id"],
                                    name="externalid_one_per_document"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} = {self.value}"


class Event(models.Model):
    """A domain event (`invoice.issued`, `quote.accepted`, ...) recorded by the service that
    made it happen, in that service's transaction: the outbox that webhooks (and, later,
    notifications) are delivered from, so a broker that is down loses nothing."""

    type = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder,
                            help_text="Facts of the moment the document does not keep.")
    occurred_at = models.DateTimeField(default=clock.now)
    published_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When its deliveries were queued.")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["published_at", "id"])]

    def __str__(self):
        return f"{self.type} {self.content_type.model} {self.object_id}"


class OutboxMessage(models.Model):
    """A Celery task to send, written in the transaction of the work that needs it, so a
    broker that is down loses nothing: `core.outbox` tries to send it once that transaction
    commits, and the relay (beat, every minute) sends whatever is still here."""

    task = models.CharField(max_length=200, help_text="The task's registered name.")
    args = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["sent_at", "id"])]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class ServiceBeat(models.Model):
    """The last time a background part of the system was seen alive (`beat`: the relay task
    that beat starts every minute ran), for /health/ and the operations page."""

    name = models.CharField(max_length=40, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
