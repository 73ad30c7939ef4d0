"""Manual journals: balanced, never on the accounts documents keep, never dated in a closed
period, posted by the preparer up to the threshold and by a second person above it
(maker-checker, issue 15: "manual journals remain for accountants, with an approval above a
threshold")."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from core.roles import Role
from core.transitions import history_for
from ledger import chart, services
from ledger.models import JournalEntry, ManualJournal, ManualJournalState
from tests.conftest import PASSWORD, make_user
from tests.ledger.factories import close_month

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 20)


def accrual(amount="500.00"):
    """Accrue an expense: bad debt expense against suspense (neither kept by documents)."""
    return [services.LineDraft(gl_code=chart.BAD_DEBT_EXPENSE, debit=D(amount),
                               description="Accrued"),
            services.LineDraft(gl_code=chart.SUSPENSE, credit=D(amount))]


@pytest.fixture
def checker(db):
    return make_user("accountant_b", Role.ACCOUNTANT)


@override_settings(MANUAL_JOURNAL_APPROVAL_THRESHOLD="1000")
def test_within_the_threshold_the_preparer_posts_and_the_entry_belongs_to_the_journal(
        accountant):
    journal = services.prepare_manual_journal(document_date=NOV, memo="November accrual",
                                              lines=accrual("1000.00"), by=accountant)

    assert journal.state == ManualJournalState.POSTED and not journal.needs_approval
    entry = JournalEntry.objects.get(pk=journal.entry_id)
    assert (entry.total_debit, entry.total_credit) == (D("1000.00"), D("1000.00"))
    assert entry.source == journal and entry.document_date == NOV
    with pytest.raises(ValidationError, match="belongs to Manual journal"):
        services.reverse_entry(entry, by=accountant, memo="Undo")
    assert [log.transition for log in history_for(journal)] == ["post"]


@override_settings(MANUAL_JOURNAL_APPROVAL_THRESHOLD="1000")
def test_above_the_threshold_a_second_person_posts_never_the_preparer(accountant, checker,
                                                                        finance):
    journal = services.prepare_manual_journal(document_date=NOV, memo="Big accrual",
                                              lines=accrual("1000.01"), by=accountant)
    assert journal.state == ManualJournalState.PENDING_APPROVAL and journal.entry is None
    assert not JournalEntry.objects.exists()

    with pytest.raises(PermissionDenied, match="prepared by you"):
        services.approve_manual_journal(journal=journal, by=accountant)
    approved = services.approve_manual_journal(journal=journal, by=checker)

    assert approved.state == ManualJournalState.POSTED
    assert JournalEntry.objects.get().source == approved
    log = history_for(approved).get()
    assert (log.transition, log.actor) == ("approve", checker)
    with pytest.raises(ValidationError, match="posted"):
        services.approve_manual_journal(journal=journal, by=finance)


def test_a_rejection_needs_a_reason_and_posts_nothing(accountant, finance):
    journal = services.prepare_manual_journal(document_date=NOV, memo="Reclass",
                                              lines=accrual("20000.00"), by=accountant)
    with pytest.raises(ValidationError, match="Say why"):
        services.reject_manual_journal(journal=journal, by=finance, reason=" ")
    rejected = services.reject_manual_journal(journal=journal, by=finance,
                                              reason="Wrong account")
    assert rejected.state == ManualJournalState.REJECTED
    assert rejected.rejection_reason == "Wrong account" and not JournalEntry.objects.exists()


@pytest.mark.parametrize(("lines", "message"), [
    ([services.LineDraft(gl_code=chart.BAD_DEBT_EXPENSE, debit=D("10.00")),
      services.LineDraft(gl_code=chart.SUSPENSE, credit=D("9.99"))],
     "is unbalanced: debits 10.00, credits 9.99"),
    ([services.LineDraft(gl_code=chart.ACCOUNTS_RECEIVABLE, debit=D("10.00")),
      services.LineDraft(gl_code=chart.REVENUE, credit=D("10.00"))],
     "1100 is kept by invoices, credit notes and payments"),
    ([services.LineDraft(gl_code=chart.DEFERRED_REVENUE, debit=D("10.00")),
      services.LineDraft(gl_code=chart.REVENUE, credit=D("10.00"))],
     "2300 is kept by invoices and revenue recognition"),
    ([services.LineDraft(gl_code="8888", debit=D("10.00")),
      services.LineDraft(gl_code=chart.SUSPENSE, credit=D("10.00"))], 'unknown GL account "8888"'),
    ([services.LineDraft(gl_code=chart.BAD_DEBT_EXPENSE, debit=D("10.001")),
      services.LineDraft(gl_code=chart.SUSPENSE, credit=D("10.001"))], "not rounded to USD"),
])
def test_a_journal_that_could_not_post_is_refused_whole_and_named(accountant, lines, message):
    with pytest.raises(ValidationError) as refused:
        services.prepare_manual_journal(document_date=NOV, memo="Bad", lines=lines,
                                        by=accountant)
    assert message in " ".join(refused.value.messages)
    assert not ManualJournal.objects.exists() and not JournalEntry.objects.exists()


def test_a_date_in_a_closed_month_is_refused_at_the_date(accountant):
    close_month(dt.date(2026, 10, 15), by=accountant)
    with pytest.raises(ValidationError) as refused:
        services.prepare_manual_journal(document_date=dt.date(2026, 10, 31), memo="Late",
                                        lines=accrual(), by=accountant)
    assert "October 2026 is closed" in refused.value.message_dict["document_date"][0]


def test_only_accountants_prepare_and_sales_may_not_even_look(client, accountant, finance,
                                                              sales_rep):
    with pytest.raises(PermissionDenied):
        services.prepare_manual_journal(document_date=NOV, memo="X", lines=accrual(),
                                        by=finance)
    assert client.login(username=sales_rep.username, password=PASSWORD)
    assert client.get(reverse("ledger:manual_journals")).status_code == 403
    assert client.get(reverse("ledger:manual_journal_new")).status_code == 403
    client.logout()
    assert client.login(username=finance.username, password=PASSWORD)
    assert client.get(reverse("ledger:manual_journals")).status_code == 200
    assert client.get(reverse("ledger:manual_journal_new")).status_code == 403


@override_settings(MANUAL_JOURNAL_APPROVAL_THRESHOLD="1000")
def test_the_pages_prepare_approve_and_show_the_journal(client, accountant, checker):
    assert client.login(username=accountant.username, password=PASSWORD)
    post = {"document_date": "2026-11-20", "memo": "Year-end accrual",
            "lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0",
            "lines-0-gl_account": chart.BAD_DEBT_EXPENSE, "lines-0-debit": "2500",
            "lines-1-gl_account": chart.SUSPENSE, "lines-1-credit": "2500"}
    bad = client.post(reverse("ledger:manual_journal_new"), {**post, "lines-1-credit": "2400"})
    assert bad.status_code == 400 and "unbalanced" in bad.content.decode()
    assert bad.context["form"]["memo"].value() == "Year-end accrual"  # what was typed stays

    response = client.post(reverse("ledger:manual_journal_new"), post, follow=True)
    journal = ManualJournal.objects.get()
    assert "waiting for a second person" in response.content.decode()
    assert "Approve and post" not in response.content.decode()  # not for the preparer
    client.logout()
    assert client.login(username=checker.username, password=PASSWORD)
    page = client.get(reverse("ledger:manual_journal", args=[journal.pk])).content.decode()
    assert "Approve and post" in page
    done = client.post(reverse("ledger:manual_journal_approve", args=[journal.pk]), follow=True)
    assert f"{journal.reference} approved and posted" in done.content.decode()
    journal.refresh_from_db()
    assert journal.entry.total_debit == D("2500.0000")
    listing = client.get(reverse("ledger:manual_journals")).content.decode()
    assert journal.entry.reference in listing
