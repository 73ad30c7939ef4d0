"""A scheduled run that is refused is recorded (what, when, why, which run held it), shown as an
alert on the operations page until a later run for the same day or month starts or someone
with the permission dismisses it (issue 14: refusals were only logged)."""

from datetime import date

import pytest
from django.urls import reverse

from billing.models import InvoiceRun, RunState
from core.models import TransitionLog
from ledger.models import AccountingPeriod, PeriodState
from operations import selectors, services
from operations.models import RefusalState, RefusedRunKind, RunRefusal, ScheduledInvoiceRun
from revrec.models import RecognitionRun
from tests.conftest import PASSWORD
from tests.operations.test_scheduled_runs import billed_on_the_7th

pytestmark = pytest.mark.django_db

BILL_DAY = date(2026, 12, 7)


@pytest.fixture
def blocker(finance):
    """An unfinished run for every account (and so every bill day), started by hand."""
    return InvoiceRun.objects.create(as_of=date(2026, 12, 6), created_by=finance)


@pytest.fixture
def refusal(blocker):
    billed_on_the_7th()
    assert services.start_bill_day_run(on=BILL_DAY) is None
    return RunRefusal.objects.get()


def test_a_refused_bill_day_run_is_recorded_with_the_blockers_reason(refusal, blocker):
    assert (refusal.kind, refusal.scope_on, refusal.state, refusal.attempts) == (
        RefusedRunKind.BILL_DAY, BILL_DAY, RefusalState.OPEN, 1)
    assert refusal.blocking_invoice_run == blocker
    assert refusal.reason.startswith(f"Invoice run {blocker.pk} is still pending for some of "
                                     "the same accounts")
    assert not ScheduledInvoiceRun.objects.exists()
    # beat fired again the same day: the same alert, one more attempt
    assert services.start_bill_day_run(on=BILL_DAY) is None
    (again,) = selectors.refused_run_alerts()
    assert (again.pk, again.attempts) == (refusal.pk, 2)


def test_the_alert_shows_on_the_operations_page_in_constant_queries(
        client, finance, refusal, blocker, django_assert_num_queries):
    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("operations:dashboard")).content.decode()
    assert "Refused runs" in page and "Bill-day invoice run 2026-12-07" in page
    assert f"Held by <a href=\"{reverse('billing:run', args=[blocker.pk])}\">" in page
    assert "Retry now" in page and "Dismiss" in page
    with django_assert_num_queries(1):
        assert [r.blocking_run for r in selectors.refused_run_alerts()] == [blocker]


def test_a_later_run_for_the_day_closes_the_alert(client, finance, refusal, blocker,
                                                  django_capture_on_commit_callbacks):
    # given the blocking run finished
    InvoiceRun.objects.filter(pk=blocker.pk).update(state=RunState.COMPLETED)
    client.login(username=finance.username, password=PASSWORD)
    # when finance retries the day's run from the alert
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("operations:retry_refusal", args=[refusal.pk]))
    # then the run is the day's scheduled run and the alert is resolved by it
    assert response.status_code == 302
    scheduled = ScheduledInvoiceRun.objects.get(run_on=BILL_DAY)
    refusal.refresh_from_db()
    assert (refusal.state, refusal.started_invoice_run, refusal.closed_by) == (
        RefusalState.RESOLVED, scheduled.run, finance)
    assert selectors.refused_run_alerts() == []
    log = TransitionLog.objects.get(transition="resolve", object_id=refusal.pk)
    assert log.note == f"Invoice run {scheduled.run.pk} started." and log.actor == finance
    page = client.get(reverse("operations:dashboard")).content.decode()
    assert "No scheduled run is refused." in page and "Resolved: a later run started" in page


def test_a_retry_refused_again_counts_the_attempt(client, finance, refusal):
    client.login(username=finance.username, password=PASSWORD)
    response = client.post(reverse("operations:retry_refusal", args=[refusal.pk]),
                           follow=True)
    assert "Refused again: Invoice run" in response.content.decode()
    refusal.refresh_from_db()
    assert (refusal.state, refusal.attempts) == (RefusalState.OPEN, 2)


def test_finance_dismisses_the_alert_with_a_note(client, finance, refusal):
    client.login(username=finance.username, password=PASSWORD)
    response = client.post(reverse("operations:dismiss_refusal", args=[refusal.pk]),
                           {"note": "Billed by hand with the December run."})
    assert response.status_code == 302
    refusal.refresh_from_db()
    assert (refusal.state, refusal.closed_by) == (RefusalState.DISMISSED, finance)
    log = TransitionLog.objects.get(transition="dismiss", object_id=refusal.pk)
    assert (log.note, log.actor, log.source, log.target) == (
        "Billed by hand with the December run.", finance, "open", "dismissed")
    assert selectors.refused_run_alerts() == []
    # dismissed once: a second dismissal is refused with a message, not a 500
    response = client.post(reverse("operations:dismiss_refusal", args=[refusal.pk]),
                           follow=True)
    assert "cannot dismiss while dismissed" in response.content.decode()


def test_other_roles_are_refused_dismiss_and_retry(client, refusal, sales_rep, sales_manager,
                                                   catalog_admin, accountant):
    for user in (sales_rep, sales_manager, catalog_admin):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(reverse("operations:dismiss_refusal",
                                   args=[refusal.pk])).status_code == 403
        assert client.post(reverse("operations:retry_refusal",
                                   args=[refusal.pk])).status_code == 403
    # accountants dismiss, but may not start invoice runs
    client.login(username=accountant.username, password=PASSWORD)
    assert client.post(reverse("operations:retry_refusal", args=[refusal.pk])).status_code == 403
    refusal.refresh_from_db()
    assert (refusal.state, refusal.attempts) == (RefusalState.OPEN, 1)
    assert not ScheduledInvoiceRun.objects.exists()


def test_a_refused_recognition_run_is_recorded_and_closed_by_a_run_started_by_hand(
        accountant):
    # given November closed in the ledger
    AccountingPeriod.objects.create(start_on=date(2026, 11, 1), end_on=date(2026, 11, 30))
    AccountingPeriod.objects.filter(start_on=date(2026, 11, 1)).update(
        state=PeriodState.CLOSED)
    # when beat asks for November's run on 1 December
    assert services.start_last_months_recognition(on=date(2026, 12, 1)) is None
    # then
    (refusal,) = selectors.refused_run_alerts()
    assert (refusal.kind, refusal.scope_label, refusal.blocking_run) == (
        RefusedRunKind.RECOGNITION, "November 2026", None)
    assert refusal.reason == ("November 2026 is closed in the ledger; reopen it before "
                              "recognizing revenue in it.")
    # when the accountant reopens it and starts the run by hand, beat's next try settles it
    AccountingPeriod.objects.filter(start_on=date(2026, 11, 1)).update(state=PeriodState.OPEN)
    from revrec.services import start_recognition_run

    run = start_recognition_run(month=date(2026, 11, 1), by=accountant, on=date(2026, 12, 1))
    assert services.start_last_months_recognition(on=date(2026, 12, 2)) is None
    refusal.refresh_from_db()
    assert (refusal.state, refusal.started_recognition_run) == (RefusalState.RESOLVED, run)
    assert RecognitionRun.objects.count() == 1
