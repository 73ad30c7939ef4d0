import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.transitions import history_for
from ledger import services
from ledger.models import PeriodState
from ledger.selectors import open_period_for
from tests.ledger.factories import balanced, close_month

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 15)


def test_period_is_created_open_for_its_month():
    period = services.ensure_period(dt.date(2024, 2, 10))
    assert (period.start_on, period.end_on, period.state) == (
        dt.date(2024, 2, 1), dt.date(2024, 2, 29), PeriodState.OPEN)
    assert services.ensure_period(dt.date(2024, 2, 29)) == period


def test_close_records_who_and_each_step(accountant):
    period = close_month(MARCH, by=accountant)

    assert period.state == PeriodState.CLOSED
    assert period.closed_by == accountant and period.closed_at is not None
    steps = [(log.transition, log.source, log.target, log.actor) for log in history_for(period)]
    assert steps == [("start_close", "open", "closing", accountant),
                     ("close", "closing", "closed", accountant)]


def test_cancel_close_opens_the_period_again(accountant):
    period = services.start_close(services.ensure_period(MARCH), by=accountant)
    period = services.cancel_close(period, by=accountant, note="Accrual missing")
    assert period.state == PeriodState.OPEN
    assert history_for(period).last().note == "Accrual missing"


def test_reopen_needs_a_reason_and_records_it(accountant):
    period = close_month(MARCH, by=accountant)
    with pytest.raises(ValidationError, match="Say why the period is reopened"):
        services.reopen_period(period, by=accountant, reason="  ")

    period = services.reopen_period(period, by=accountant, reason="Late supplier invoice")

    assert period.state == PeriodState.OPEN and period.closed_at is None
    last = history_for(period).last()
    assert (last.transition, last.note) == ("reopen", "Late supplier invoice")


def test_finance_cannot_close_or_reopen(finance, accountant):
    period = services.ensure_period(MARCH)
    with pytest.raises(PermissionDenied):
        services.start_close(period, by=finance)
    closed = close_month(dt.date(2026, 4, 1), by=accountant)
    with pytest.raises(PermissionDenied):
        services.reopen_period(closed, by=finance, reason="Because")


def test_transition_from_the_wrong_state_is_refused(accountant):
    period = services.ensure_period(MARCH)
    with pytest.raises(ValidationError, match="cannot close while open"):
        services.close_period(period, by=accountant)


def test_service_acts_on_the_current_row_not_a_stale_copy(accountant):
    stale = services.ensure_period(MARCH)
    services.start_close(stale, by=accountant)
    with pytest.raises(ValidationError, match="cannot start close while closing"):
        services.start_close(stale, by=accountant)


def test_reopened_period_takes_documents_again(accountant, finance):
    period = close_month(MARCH, by=accountant)
    services.reopen_period(period, by=accountant, reason="Audit adjustment")
    assert services.post_entry(balanced(on=MARCH), by=finance).posted_on == MARCH


def test_open_period_for_names_the_landing_period_without_creating_it(accountant):
    assert open_period_for(MARCH).pk is None
    assert open_period_for(MARCH).start_on == dt.date(2026, 3, 1)
    close_month(MARCH, by=accountant)
    april = services.ensure_period(dt.date(2026, 4, 2))
    assert open_period_for(MARCH) == april
