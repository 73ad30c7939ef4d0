"""What every background run (invoice, recognition, dunning) shares: a heartbeat that each
start, resume and finished chunk moves, and the rule that says a run is stalled.

A live run whose heartbeat is older than settings.RUN_STALLED_AFTER_MINUTES has made no
progress for that long: its worker died, or its messages wait in the broker for a visibility
timeout. Its page says so and offers Resume, which queues the unfinished chunks again (a
chunk finishes once: redelivered or resumed copies find it done).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import clock


def stalled_since(now: datetime | None = None) -> datetime:
    """Heartbeats before this moment are stale."""
    return (now or clock.now()) - timedelta(minutes=settings.RUN_STALLED_AFTER_MINUTES)


class Heartbeat(models.Model):
    """Abstract: a run's heartbeat. A subclass names its live states in LIVE_STATES."""

    LIVE_STATES: tuple[str, ...] = ()

    heartbeat_at = models.DateTimeField(
        default=clock.now, help_text="Last sign of progress: start, resume or a chunk done.")

    class Meta:
        abstract = True

    @property
    def is_stalled(self) -> bool:
        return self.state in self.LIVE_STATES and self.heartbeat_at < stalled_since()

    @classmethod
    def stalled_filter(cls, now: datetime | None = None) -> Q:
        return Q(state__in=cls.LIVE_STATES, heartbeat_at__lt=stalled_since(now))

    @classmethod
    def beat(cls, pk: int) -> None:
        """Move the heartbeat (one UPDATE, no lock: any worker may call it)."""
        cls.objects.filter(pk=pk).update(heartbeat_at=clock.now())
