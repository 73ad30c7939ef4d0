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
    with pytest.raises(ValidationError, match="Every revenue contract recognized"):
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
    assert "✗ Every revenue contract recognized through the month" in page and "disabled" in page

    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)
    response = client.post(reverse("revrec:close_month"), {"month": "2026-10"}, follow=True)

    body = response.content.decode()
    assert "October 2026 is closed." in body
    period = AccountingPeriod.objects.get(start_on=OCT)
    assert reverse("ledger:period", args=[period.pk]) in body  # reopen lives in the ledger


def _issued_in_october(finance, total="5.00"):
    from billing.services import drafts
    from billing.services.issuing import issue_invoice
    from tests.customers.factories import AccountFactory

    account = AccountFactory(name="Stark Aerospace", currency="USD")
    invoice = drafts.create_manual_invoice(account=account, by=finance)
    drafts.add_manual_charge(invoice=invoice, by=finance, description="Setup", quantity=1,
                             unit_price=total, on=date(2026, 10, 5))
    return issue_invoice(invoice=invoice, by=finance, on=date(2026, 10, 5))


def test_receivables_that_agree_with_the_ledger_pass_the_close(finance, accountant,
                                                               django_capture_on_commit_callbacks):
    _issued_in_october(finance)
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)

    receivables = next(c for c in close_checklist(OCT) if c.key == "receivables")
    assert receivables.done and receivables.label == "Receivables agree with the ledger"
    assert keys_open(OCT) == []


def test_a_receivable_difference_blocks_the_close_and_names_the_documents(
        finance, accountant, django_capture_on_commit_callbacks):
    # given an issued invoice of 5.00 whose receivable was taken off by a hand-made entry
    invoice = _issued_in_october(finance)
    by_hand = post_entry(EntryDraft(document_date=date(2026, 10, 6), memo="Clear AR", lines=[
        LineDraft(chart.REVENUE, debit="5.00"),
        LineDraft(chart.ACCOUNTS_RECEIVABLE, credit="5.00", customer_account_id=invoice.account_id,
                  document_currency="USD", document_amount="-5.00", rate="1")]), by=system())
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)

    # when the month is checked and closed
    receivables = next(c for c in close_checklist(OCT) if c.key == "receivables")

    # then the check fails, naming the account, the invoice and the entry, and blocks the close
    assert not receivables.done and keys_open(OCT) == ["receivables"]
    assert "Stark Aerospace USD: ledger 0.00, open invoices 5.00" in receivables.detail
    assert invoice.number in receivables.detail and by_hand.reference in receivables.detail
    with pytest.raises(ValidationError, match="Receivables agree with the ledger"):
        close_period(month=OCT, by=accountant)
    assert not AccountingPeriod.objects.filter(start_on=OCT, state=PeriodState.CLOSED).exists()


def test_the_close_page_opens_while_usage_is_unrated_and_links_the_usage_import(client,
                                                                                 accountant):
    from datetime import UTC, datetime

    from billing.models import UsageRecord
    from tests.billing.factories import product
    from tests.customers.factories import AccountFactory

    UsageRecord.objects.create(account=AccountFactory(), product=product("API", kind="usage"),
                               quantity=3, occurred_at=datetime(2026, 10, 9, tzinfo=UTC),
                               idempotency_key="u-1")
    client.force_login(accountant)

    response = client.get(reverse("revrec:close"), {"month": "2026-10"})

    assert response.status_code == 200
    assert "1 usage record(s) of the period not rated" in response.content.decode()
    assert reverse("billing_documents:usage_import").encode() in response.content


def test_every_check_links_a_page_that_exists(db):
    for check in close_checklist(OCT):
        assert reverse(check.url_name).startswith("/"), check.key


def test_the_close_page_opens_on_last_month_while_it_is_still_open(client, accountant):
    # given today is 2026-11-23: October has ended and is open, November has not ended
    client.force_login(accountant)

    page = client.get(reverse("revrec:close"))

    assert page.context["month"] == OCT
    close_period_month = AccountingPeriod.objects.filter(start_on=OCT)
    assert not close_period_month.filter(state=PeriodState.CLOSED).exists()


def test_once_last_month_is_closed_the_close_page_opens_on_this_month(
        client, accountant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=OCT, by=accountant)
    close_period(month=OCT, by=accountant)
    client.force_login(accountant)

    assert client.get(reverse("revrec:close")).context["month"] == date(2026, 11, 1)


def test_usage_counts_in_the_month_by_its_accounts_day(db):
    # given two events at 23:30 UTC on 31 October: in Tokyo (UTC+9) it is already 1 November,
    # in the company's zone it is still 31 October (Lago: the customer's timezone decides
    # the day an event belongs to; the billing app rates them so, tests/billing)
    from datetime import UTC, datetime

    from billing.models import UsageRecord
    from tests.billing.factories import product
    from tests.customers.factories import AccountFactory

    api = product("API", kind="usage")
    late = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    for number, zone in enumerate(["Asia/Tokyo", ""]):
        UsageRecord.objects.create(account=AccountFactory(time_zone=zone), product=api,
                                   quantity=1, occurred_at=late, idempotency_key=f"u-{number}")

    # when October's checklist asks for unrated usage
    [usage] = [check for check in close_checklist(OCT) if check.key == "usage"]

    # then only the company-zone event is October's
    assert usage.detail == "1 usage record(s) of the period not rated on an invoice"
