"""The product's clock: every timestamp the product writes comes from `now()`.

In production it is the wall clock. The demo history (`seed_demo`) acts out two years of
business days; it does each day's work inside `replaying(moment)`, so the documents, history
entries and events it writes carry the day they happened. Nothing else moves: the interpreter's
clock is untouched (time-machine stays a test tool), and the replayed moment belongs to the
running context only (a `ContextVar`), so a request or a worker thread beside it keeps real time.
This is the shape of Kill Bill's `Clock` and of Stripe's test clocks.

Why not stamp `on=` instead: services take the business date an action is *for* (a payment
received last Monday, a month being closed); the audit trail must say when it was *done*, so a
payment recorded today for last Monday is stamped today. Only a replay of history may move both.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_replayed: ContextVar[datetime | None] = ContextVar("q2c_replayed_moment", default=None)


def now() -> datetime:
    """The current moment: the replayed one inside `replaying`, else the wall clock."""
    return _replayed.get() or timezone.now()


def today() -> date:
    """The current date in the site's time zone."""
    return timezone.localtime(now()).date()


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Act as at `moment` (aware) in this context: `now()` and every timestamp written say so."""
    if timezone.is_naive(moment):
        raise ValueError("replaying needs an aware moment")
    token = _replayed.set(moment)
    try:
        yield
    finally:
        _replayed.reset(token)
