"""The period close checklist blocks closing until it is clear, then the ledger closes it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ledger import chart
from ledger.models import AccountingPeriod, PeriodState
from ledger.services import EntryDraft, LineDraft, post_entry
from revrec.checklist import close_checklist
from revrec.services import start_recognition_run
from revrec.services.closing import close_period
from tests.conftest import PASSWORD
from tests.revrec.factories import system

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)


def keys_open(month):
    return [check.key for check in close_checklist(month) if not check.done]


def test_closing_waits_for_the_recognition_run(accountant, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="Revenue recognition run done"):
        close_period(month=OCT, by=accountant)
    assert keys_open(OCT) == ["recognition"]

    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)
    period = close_period(month=OCT, by=accountant)

    assert period.state == PeriodState.CLOSED and period.closed_by == accountant
    with pytest.raises(ValidationError, match="closed"):
        start_recognition_run(month=OCT, by=accountant)


def test_something_in_suspense_blocks_the_close(accountant, django_capture_on_commit_callbacks):
    post_entry(EntryDraft(document_date=date(2026, 10, 5), memo="Unidentified receipt", lines=[
        LineDraft(chart.CASH, debit="50.00"), LineDraft(chart.SUSPENSE, credit="50.00")]),
        by=system())
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)

    with pytest.raises(ValidationError, match="Suspense"):
        close_period(month=OCT, by=accountant)
    assert keys_open(OCT) == ["suspense"]


def test_finance_cannot_close(finance, accountant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)

    with pytest.raises(PermissionDenied):
        close_period(month=OCT, by=finance)
    assert not AccountingPeriod.objects.filter(start_on=OCT, state=PeriodState.CLOSED).exists()


def test_the_close_page_shows_the_checklist_and_closes(client, accountant,
                                                       django_capture_on_commit_callbacks):
    assert client.login(username=accountant.username, password=PASSWORD)
    page = client.get(reverse("revrec:close"), {"month": "2026-10"}).content.decode()
    assert "✗ Revenue recognition run done" in page and "disabled" in page

    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)
    response = client.post(reverse("revrec:close_month"), {"month": "2026-10"}, follow=True)

    body = response.content.decode()
    assert "October 2026 is closed." in body
    period = AccountingPeriod.objects.get(start_on=OCT)
    assert reverse("ledger:period", args=[period.pk]) in body  # reopen lives in the ledger
