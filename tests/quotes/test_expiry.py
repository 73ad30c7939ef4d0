from datetime import date

import pytest

from core.actors import Actor
from core.transitions import history_for
from q2c.schedules import CELERY_BEAT_SCHEDULE
from quotes.models import QuoteState
from quotes.services.sending import expire_due_quotes, send_quote
from quotes.tasks import expire_due_quotes_task
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db
DEC_31, JAN_1 = date(2026, 12, 31), date(2027, 1, 1)


@pytest.fixture
def quotes(sales_rep, other_rep):
    sent = send_quote(quote=approved_quote(owner=sales_rep), by=sales_rep, on=date(2026, 11, 23))
    return {
        "sent": sent,
        "approved": approved_quote(owner=other_rep),
        "draft": approved_quote(owner=sales_rep, state=QuoteState.DRAFT),
        "later": approved_quote(owner=sales_rep, expires_on=date(2027, 1, 31)),
    }


def states(quotes):
    for quote in quotes.values():
        quote.refresh_from_db()
    return {name: quote.state for name, quote in quotes.items()}


def test_quotes_are_valid_through_their_expiry_date(quotes):
    assert expire_due_quotes(by=Actor.task("test"), on=DEC_31) == []


def test_approved_and_sent_quotes_past_expiry_expire_and_nothing_else(quotes):
    expired = expire_due_quotes(by=Actor.task("expire_due_quotes"), on=JAN_1)

    assert {q.pk for q in expired} == {quotes["sent"].pk, quotes["approved"].pk}
    assert states(quotes) == {"sent": "expired", "approved": "expired", "draft": "draft",
                              "later": "approved"}
    entry = list(history_for(quotes["sent"]))[-1]
    assert (entry.transition, entry.actor_kind, entry.business_date) == (
        "expire", "system", JAN_1)


def test_a_second_run_changes_nothing(quotes):
    expire_due_quotes(by=Actor.task("expire_due_quotes"), on=JAN_1)
    before = states(quotes)

    again = expire_due_quotes(by=Actor.task("expire_due_quotes"), on=JAN_1)

    assert again == []
    assert states(quotes) == before
    assert [e.transition for e in history_for(quotes["sent"])] == ["submit", "send", "expire"]


def test_the_daily_task_acts_as_the_system_and_is_idempotent(quotes, time_machine):
    time_machine.move_to("2027-01-02 00:15 +00:00")

    assert expire_due_quotes_task.delay().get() == 2
    assert expire_due_quotes_task.delay().get() == 0
    assert states(quotes)["sent"] == QuoteState.EXPIRED


def test_users_without_the_permission_cannot_expire(quotes, sales_rep):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        expire_due_quotes(by=sales_rep, on=JAN_1)


def test_the_expiry_task_is_scheduled_daily():
    entry = CELERY_BEAT_SCHEDULE["expire-due-quotes"]

    assert entry["task"] == expire_due_quotes_task.name
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {15}
