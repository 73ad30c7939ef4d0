"""Beat's runs with a moved clock: the bill day's invoice run (drafts, or drafted and issued, as
finance set on the schedule page) and last month's recognition run, as ordinary runs of the
system user; each starts once however often beat fires."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from billing.models import Invoice, InvoiceRun, InvoiceState, RunState
from core.actors import system_user
from operations import services
from operations.models import InvoiceRunMode, ScheduledInvoiceRun
from operations.tasks import (
    bill_day_invoice_run_task,
    issue_scheduled_drafts_task,
    last_months_recognition_task,
)
from q2c.celery import app
from revrec.models import RecognitionRun
from revrec.models import RunState as RecognitionState
from tests.billing.factories import active_contract
from tests.conftest import PASSWORD
from tests.customers.factories import AccountFactory
from tests.revrec.factories import active_contract as revenue_contract
from tests.revrec.factories import revenue_contract_of

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.TIME_ZONE)


def billed_on_the_7th():
    account = AccountFactory(bill_day=7)
    active_contract(account=account, start_on=date(2026, 11, 7), end_on=date(2027, 11, 6),
                    currency=account.currency, lines=[{"amount": "100.00"}])
    return account


def due(entry: str, *, last_run_at: datetime) -> bool:
    return settings.CELERY_BEAT_SCHEDULE[entry]["schedule"].is_due(last_run_at).is_due


def fire(entry: str):
    return app.tasks[settings.CELERY_BEAT_SCHEDULE[entry]["task"]]()


def test_beat_starts_the_bill_days_run_once_as_the_system_user(
        django_capture_on_commit_callbacks):
    account = billed_on_the_7th()
    AccountFactory(bill_day=8)  # another bill day: not in this run

    with time_machine.travel(datetime(2026, 12, 7, 3, 0, 30, tzinfo=ZONE), tick=False):
        assert due("bill-day-invoice-run", last_run_at=datetime(2026, 12, 6, 3, 0, tzinfo=ZONE))
        with django_capture_on_commit_callbacks(execute=True):
            run_id = fire("bill-day-invoice-run")
        assert bill_day_invoice_run_task() is None  # beat fired twice: nothing more

    run = InvoiceRun.objects.get(pk=run_id)
    assert (run.state, run.bill_day, run.as_of, run.created_by) == (
        RunState.COMPLETED, 7, date(2026, 12, 7), system_user())
    assert list(Invoice.objects.values_list("account", "state")) == [
        (account.pk, InvoiceState.DRAFT)]
    assert issue_scheduled_drafts_task() == 0  # drafts for review: nothing issued


def test_draft_and_issue_issues_the_drafts_once_the_run_is_done(
        finance, django_capture_on_commit_callbacks):
    billed_on_the_7th()
    services.update_schedule(by=finance, invoice_run_mode=InvoiceRunMode.ISSUE,
                             recognize_after_month_end=True)

    with time_machine.travel(datetime(2026, 12, 7, 3, 0, tzinfo=ZONE), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            bill_day_invoice_run_task()
        with django_capture_on_commit_callbacks(execute=True):
            assert issue_scheduled_drafts_task() == 1
        assert issue_scheduled_drafts_task() == 0

    assert list(Invoice.objects.values_list("state", flat=True)) == [InvoiceState.ISSUED]
    assert ScheduledInvoiceRun.objects.get().issued_at is not None


def test_turned_off_no_run_starts_and_no_next_date_is_shown(finance):
    billed_on_the_7th()
    services.update_schedule(by=finance, invoice_run_mode=InvoiceRunMode.OFF,
                             recognize_after_month_end=False)

    assert services.start_bill_day_run(on=date(2026, 12, 7)) is None
    assert services.next_invoice_run_on() is None
    assert not InvoiceRun.objects.exists()


def test_the_next_run_skips_days_29_to_31():
    at = datetime(2026, 12, 28, 9, 0, tzinfo=ZONE)
    assert services.next_invoice_run_on(at) == date(2027, 1, 1)
    assert services.next_invoice_run_on(datetime(2026, 12, 7, 2, 0, tzinfo=ZONE)) == date(
        2026, 12, 7)


def test_beat_starts_last_months_recognition_after_month_end(
        sales_rep, finance, django_capture_on_commit_callbacks):
    revenue_contract_of(revenue_contract(sales_rep, by=finance))

    with time_machine.travel(datetime(2027, 1, 1, 4, 0, 30, tzinfo=ZONE), tick=False):
        assert due("recognize-last-month", last_run_at=datetime(2026, 12, 31, 4, 0, tzinfo=ZONE))
        with django_capture_on_commit_callbacks(execute=True):
            run_id = fire("recognize-last-month")
        assert last_months_recognition_task() is None

    run = RecognitionRun.objects.get(pk=run_id)
    assert (run.month, run.state, run.started_by) == (date(2026, 12, 1),
                                                       RecognitionState.COMPLETED, system_user())


def test_finance_sets_the_mode_on_the_schedule_page_and_others_cannot(
        client, finance, accountant, sales_rep):
    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("operations:schedule")).content.decode()
    assert "Next bill-day run" in page
    response = client.post(reverse("operations:schedule"),
                           {"invoice_run_mode": "issue", "recognize_after_month_end": "on"})
    assert response.status_code == 302
    assert services.schedule_settings().invoice_run_mode == InvoiceRunMode.ISSUE

    client.login(username=accountant.username, password=PASSWORD)
    assert client.get(reverse("operations:schedule")).status_code == 200
    assert client.post(reverse("operations:schedule"),
                       {"invoice_run_mode": "off"}).status_code == 403
    client.login(username=sales_rep.username, password=PASSWORD)
    assert client.get(reverse("operations:schedule")).status_code == 403
    assert services.schedule_settings().invoice_run_mode == InvoiceRunMode.ISSUE
