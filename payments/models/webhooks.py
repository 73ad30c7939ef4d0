"""Gateway events received through the signed webhook, once each (the gateway redelivers)."""

from django.db import models

from core.fields import TimestampField


class WebhookEvent(models.Model):
    gateway = models.CharField(max_length=32)
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=64)
    payload = models.JSONField()
    outcome = models.CharField(max_length=255, blank=True)
    received_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"],
                                    name="webhookevent_once_per_event"),
        ]

    def __str__(self):
        return f"{self.gateway} {self.kind} {self.event_id}"
