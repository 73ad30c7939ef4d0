"""A sent quote's email is a delivery of the quote (issue 14: per-document delivery status): the
quote's page shows it queued, sent or failed with the recipient and the reason, and the rep
sends a failed one again; roles without the quote's send permission cannot."""

import smtplib
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.transitions import history_for
from notifications.models import Delivery, DeliveryState
from notifications.selectors import deliveries_of
from quotes.models import QuoteState
from quotes.services.sending import send_quote, send_quote_again
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def refuse(self, fail_silently=False):
    raise smtplib.SMTPRecipientsRefused({"buyer@acme.example": (550, b"No such user")})


@pytest.fixture
def quote(sales_rep, other_rep, django_capture_on_commit_callbacks):
    """Rep A's approved quote; another rep's quote, sent, is the noise."""
    with django_capture_on_commit_callbacks(execute=True):
        send_quote(quote=approved_quote(owner=other_rep, contact_email="noise@other.example"),
                   by=other_rep, on=TODAY)
    mail.outbox.clear()
    return approved_quote(owner=sales_rep)


@pytest.fixture
def failed(quote, sales_rep, monkeypatch, django_capture_on_commit_callbacks):
    """The quote sent while the mail server refused its recipient."""
    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_quote(quote=quote, by=sales_rep, on=TODAY)
    monkeypatch.undo()
    return sent


def test_sending_records_a_delivery_of_the_quote_with_its_pdf(
        quote, sales_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_quote(quote=quote, by=sales_rep, on=TODAY)

    [delivery] = deliveries_of(sent)
    assert (delivery.state, delivery.to, delivery.attempts) == (
        DeliveryState.SENT, ["buyer@acme.example"], 1)
    [attachment] = delivery.attachments.all()
    assert attachment.filename == f"{quote.number}-v1.pdf"
    assert bytes(attachment.content) == bytes(sent.sent_pdf)
    [message] = mail.outbox
    assert message.subject == delivery.subject and message.body == delivery.body


def test_the_quote_page_shows_the_email_sent_to_the_contact(
        client, quote, sales_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_quote(quote=quote, by=sales_rep, on=TODAY)
    client.force_login(sales_rep)

    page = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()

    assert 'data-testid="delivery"' in page and "buyer@acme.example" in page
    assert ">Sent</span>" in page and "Send again" not in page
    assert "noise@other.example" not in page


def test_a_failed_email_shows_its_reason_and_the_rep_sends_it_again(
        client, failed, sales_rep, django_capture_on_commit_callbacks):
    # given
    assert Delivery.objects.get(object_id=failed.pk, content_type__model="quote").state == (
        DeliveryState.FAILED)
    client.force_login(sales_rep)
    page = client.get(reverse("quotes:detail", args=[failed.pk])).content.decode()
    assert ">Failed</span>" in page and "No such user" in page
    assert reverse("quotes:send_again", args=[failed.pk]) in page

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quotes:send_again", args=[failed.pk]))

    # then
    assert response.status_code == 302
    assert any("queued again to buyer@acme.example" in str(m)
               for m in get_messages(response.wsgi_request))
    latest, first = deliveries_of(failed)
    assert (latest.state, first.state) == (DeliveryState.SENT, DeliveryState.FAILED)
    assert latest.body == first.body and len(mail.outbox) == 1
    assert mail.outbox[0].reply_to == latest.reply_to == [sales_rep.email]  # kept on resend
    failed.refresh_from_db()
    assert failed.state == QuoteState.SENT
    note = list(history_for(failed))[-1]
    assert (note.transition, note.actor) == ("send_again", sales_rep)
    assert "No such user" in note.note


def test_an_email_that_went_is_not_sent_again(quote, sales_rep,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_quote(quote=quote, by=sales_rep, on=TODAY)

    with pytest.raises(ValidationError, match="Only a failed email is sent again; the last one "
                                              "is sent"):
        send_quote_again(quote=sent, by=sales_rep, on=TODAY)

    assert deliveries_of(sent).count() == 1


def test_an_expired_quote_is_not_emailed_again(failed, sales_rep):
    with pytest.raises(ValidationError, match="Only a sent quote the customer can still answer"):
        send_quote_again(quote=failed, by=sales_rep, on=date(2027, 1, 1))


def test_only_who_may_send_the_quote_sends_it_again(client, failed, other_rep, finance,
                                                    accountant, sales_manager):
    url = reverse("quotes:send_again", args=[failed.pk])
    with pytest.raises(PermissionDenied):
        send_quote_again(quote=failed, by=other_rep, on=TODAY)
    for user, refused in ((finance, 403), (accountant, 403), (other_rep, 404)):
        client.force_login(user)
        assert client.post(url).status_code == refused, user
    assert deliveries_of(failed).count() == 1

    client.force_login(sales_manager)  # the rep's manager sees and sends the team's quotes
    assert client.post(url).status_code == 302
    assert deliveries_of(failed).count() == 2


def test_the_page_asks_the_same_queries_for_one_email_or_many(
        client, failed, sales_rep, monkeypatch, django_capture_on_commit_callbacks):
    client.force_login(sales_rep)
    url = reverse("quotes:detail", args=[failed.pk])
    client.get(url)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    monkeypatch.setattr(EmailMessage, "send", refuse)  # the server still refuses
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            send_quote_again(quote=failed, by=sales_rep, on=TODAY)

    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert page.count('data-testid="delivery"') == 4
    assert len(many) == len(one)
