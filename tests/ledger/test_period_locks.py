"""Postings and period closes racing each other on PostgreSQL (two connections at once).

A posting locks the periods it reads FOR SHARE until it commits: postings at once share that
lock (the FOR UPDATE they took before made every posting wait for the one before it to commit,
issue 23), while a period transition's FOR UPDATE waits for every posting in flight, and a
posting waits for a transition in flight and then reads the period as it left it. So a closed
or closing period never takes a posting, whichever of the two comes first."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, transaction

from ledger import services
from ledger.models import JournalEntry, PeriodState
from ledger.services import posting
from tests.conftest import reseed_migration_data
from tests.ledger.factories import balanced

MARCH = dt.date(2026, 3, 15)
pytestmark = [pytest.mark.postgres("row locks between two connections; SQLite has none"),
              pytest.mark.django_db(transaction=True)]


def _in_thread(work, errors):
    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _held_posting(monkeypatch, by):
    """A posting of March stopped just after it locked its periods, its transaction open: the
    thread, the event set once it holds them, the event that lets it go on, and its errors."""
    inside, release, errors = threading.Event(), threading.Event(), []
    landing_periods = posting._landing_periods

    def held(dates):
        landed = landing_periods(dates)
        if not inside.is_set():
            inside.set()
            release.wait(20)
        return landed

    monkeypatch.setattr(posting, "_landing_periods", held)
    thread = _in_thread(lambda: services.post_entry(balanced(memo="Held"), by=by), errors)
    assert inside.wait(20)
    return thread, release, errors


def _lock_timeout(value: str) -> None:
    with connection.cursor() as cursor:  # waiting on the other connection's lock fails fast
        cursor.execute(f"SET lock_timeout = '{value}'")


def test_postings_at_once_do_not_wait_for_each_other(finance, monkeypatch):
    reseed_migration_data()
    services.ensure_period(MARCH)
    thread, release, errors = _held_posting(monkeypatch, finance)
    try:
        _lock_timeout("3s")
        services.post_entry(balanced(memo="Second"), by=finance)
    finally:
        release.set()
        thread.join(30)
        _lock_timeout("0")
    assert not errors
    assert sorted(JournalEntry.objects.values_list("memo", "number")) == [
        ("Held", 2), ("Second", 1)]


def test_a_posting_in_flight_holds_off_a_close_until_it_commits(finance, accountant,
                                                               monkeypatch):
    reseed_migration_data()
    period = services.ensure_period(MARCH)
    thread, release, errors = _held_posting(monkeypatch, finance)
    try:
        _lock_timeout("1s")
        with pytest.raises(OperationalError, match="lock timeout"):
            services.start_close(period, by=accountant)
    finally:
        release.set()
        thread.join(30)
        _lock_timeout("0")
    assert not errors
    assert JournalEntry.objects.get(memo="Held").posted_on == MARCH  # in March, still open
    assert services.start_close(period, by=accountant).state == PeriodState.CLOSING


def test_a_close_in_flight_makes_the_posting_wait_and_land_after_it(finance, accountant):
    reseed_migration_data()
    period = services.ensure_period(MARCH)
    inside, release, errors = threading.Event(), threading.Event(), []

    def close():
        with transaction.atomic():
            services.start_close(period, by=accountant)
            services.close_period(period, by=accountant)
            inside.set()
            release.wait(20)

    closing = _in_thread(close, errors)
    assert inside.wait(20)
    poster = _in_thread(lambda: services.post_entry(balanced(memo="Late"), by=finance), errors)
    poster.join(1)
    waited = poster.is_alive()  # the close's lock holds the posting back
    release.set()
    closing.join(30)
    poster.join(30)
    assert not errors and waited
    entry = JournalEntry.objects.get(memo="Late")
    # the period closed first: the entry keeps its date and posts on the next open month's
    # first day, never into the closed one
    assert (entry.document_date, entry.posted_on) == (MARCH, dt.date(2026, 4, 1))
    assert entry.period.start_on == dt.date(2026, 4, 1)
