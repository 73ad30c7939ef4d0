"""Telling each person it is their turn (review 2026-12, gap 8): the inbox entry, its email,
the unread count in the header, mark read, and the link to the document."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from notifications.services import mark_read
from quotes import services as quote_services
from tests.contracts.factories import accepted_quote, signed_contract
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db

# 1,000 seats at 25% off over 24 months: the seeded rules send it to approval.
BIG_DEAL = [("SEAT-USER", 1000, "25")]


def texts(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_a_quote_sent_to_approval_tells_the_approvers_and_the_decision_tells_the_rep(
        catalog, sales_rep, finance, other_rep, django_capture_on_commit_callbacks):
    # given
    quote = draft_quote(sales_rep, lines=BIG_DEAL, term_months=24)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.submit_for_approval(quote=quote, by=sales_rep)

    # then: finance is told, by inbox and email; another rep is not
    assert texts(finance) == [f"Quote {quote} needs your approval"]
    assert texts(other_rep) == [] and texts(sales_rep) == []
    assert [m.to for m in mail.outbox if "needs your approval" in m.subject] == [[finance.email]]


def test_after_finance_approves_the_reps_own_manager_is_next(
        catalog, sales_rep, sales_manager, other_manager, finance,
        django_capture_on_commit_callbacks):
    quote = draft_quote(sales_rep, lines=BIG_DEAL, term_months=24)
    quote_services.submit_for_approval(quote=quote, by=sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        quote_services.approve(quote=quote, by=finance)

    assert texts(sales_manager) == [f"Quote {quote} needs your approval"]
    assert texts(other_manager) == []  # another team's manager cannot decide it
    assert texts(sales_rep) == []  # the level's decision is emailed by quotes itself


def test_the_customer_accepting_tells_the_rep(catalog, sales_rep, other_rep):
    quote = accepted_quote(sales_rep)
    assert f"The customer accepted quote {quote}" in texts(sales_rep)
    assert texts(other_rep) == []


def test_a_signed_contract_tells_who_countersigns(catalog, sales_rep, finance):
    contract = signed_contract(sales_rep)
    note = Notification.objects.get(user=finance, kind="contract.signed")
    assert note.text == (f"Contract {contract} is signed by the customer and awaits your "
                         f"countersignature")
    assert note.url == reverse("contracts:detail", args=[contract.pk])


def test_the_header_counts_unread_and_opening_one_marks_it_read(client, catalog, sales_rep,
                                                                other_rep):
    # given
    quote = accepted_quote(sales_rep)
    note = Notification.objects.get(user=sales_rep, kind="quote.accepted")
    client.force_login(sales_rep)

    # then: the header shows 1 unread
    home = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in home

    # when: opened from the inbox, it leads to the quote and is read
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert f"The customer accepted quote {quote}" in inbox
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("quotes:detail",
                                                                            args=[quote.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()

    # and another user cannot open it
    client.force_login(other_rep)
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404


def test_mark_read_touches_only_ones_own(catalog, sales_rep, finance):
    accepted_quote(sales_rep)
    assert mark_read(user=finance) == Notification.objects.filter(user=finance).count()
    assert Notification.objects.filter(user=sales_rep, read_at__isnull=True).count() == 1


def test_a_user_who_turned_email_off_gets_only_the_inbox(catalog, sales_rep, finance,
                                                        django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=finance, by_email=False)
    quote = draft_quote(sales_rep, lines=BIG_DEAL, term_months=24)
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.submit_for_approval(quote=quote, by=sales_rep)
    assert texts(finance) == [f"Quote {quote} needs your approval"]
    assert not [m for m in mail.outbox if finance.email in m.to]
