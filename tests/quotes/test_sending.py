import hashlib
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.actors import Actor
from core.transitions import history_for
from quotes.models import QuoteState
from quotes.services.sending import quote_for_link, send_quote
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def quote(sales_rep, other_rep):
    approved_quote(owner=other_rep, contact_email="noise@other.example")  # not to be mailed
    return approved_quote(owner=sales_rep)


@pytest.mark.real_pdf
def test_sending_stores_the_pdf_and_its_hash_and_mails_the_contact_after_commit(
        quote, sales_rep, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = send_quote(quote=quote, by=sales_rep, on=TODAY)

    # then
    sent.refresh_from_db()
    stored = bytes(sent.sent_pdf)
    assert sent.state == QuoteState.SENT and sent.sent_at is not None
    assert stored.startswith(b"%PDF")
    assert sent.sent_pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@acme.example"]
    assert message.reply_to == [sales_rep.email]  # the customer's answer goes to the rep
    assert sales_rep.email and f"({sales_rep.email})" in message.body
    [(filename, attached, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{quote.number}-v1.pdf", "application/pdf")
    assert attached == stored
    token = message.body.split("/portal/quotes/")[1].split("/")[0]
    assert quote_for_link(token, on=TODAY) == sent
    assert [entry.transition for entry in history_for(sent)] == ["submit", "send"]


def test_no_mail_leaves_before_the_send_commits(quote, sales_rep,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        send_quote(quote=quote, by=sales_rep, on=TODAY)

    assert mail.outbox == []


def test_only_an_approved_quote_is_sent(sales_rep):
    draft = approved_quote(owner=sales_rep, state=QuoteState.DRAFT)

    with pytest.raises(ValidationError, match="Only an approved quote can be sent"):
        send_quote(quote=draft, by=sales_rep, on=TODAY)


def test_a_quote_without_a_contact_email_is_not_sent(quote, sales_rep):
    quote.contact.email = ""
    quote.contact.save()

    with pytest.raises(ValidationError) as error:
        send_quote(quote=quote, by=sales_rep, on=TODAY)

    assert "contact" in error.value.message_dict
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED and not quote.sent_pdf


def test_a_quote_past_its_expiry_is_not_sent(quote, sales_rep):
    with pytest.raises(ValidationError, match="expired on 2026-12-31"):
        send_quote(quote=quote, by=sales_rep, on=date(2027, 1, 1))


def test_sending_needs_the_permission(quote, accountant):
    with pytest.raises(PermissionDenied):
        send_quote(quote=quote, by=accountant, on=TODAY)


def test_the_system_cannot_send_quotes(quote):
    with pytest.raises(PermissionDenied):
        send_quote(quote=quote, by=Actor.task("test"), on=TODAY)


def test_the_send_button_posts_and_returns_to_the_quote(client, quote, sales_rep,
                                                         django_capture_on_commit_callbacks):
    client.force_login(sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quote_flows:send", args=[quote.pk]))

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT
    assert mail.outbox[0].body.count("http://testserver/portal/quotes/") == 1


def test_another_teams_rep_cannot_send_the_quote(client, quote, other_rep):
    client.force_login(other_rep)

    response = client.post(reverse("quote_flows:send", args=[quote.pk]))

    assert response.status_code == 404
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED


def test_sending_twice_is_refused_on_the_page(client, quote, sales_rep):
    client.force_login(sales_rep)
    send_quote(quote=quote, by=sales_rep)

    response = client.post(reverse("quote_flows:send", args=[quote.pk]))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Only an approved quote can be sent; this one is sent."]


def test_the_quote_page_offers_preview_download_and_send_by_state(client, quote, sales_rep,
                                                                   accountant):
    client.force_login(sales_rep)
    approved = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    send_quote(quote=quote, by=sales_rep)
    sent = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    client.force_login(accountant)
    read_only = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()

    assert reverse("quote_documents:preview", args=[quote.pk]) in approved
    assert reverse("quote_documents:download", args=[quote.pk]) in approved
    assert "Send to buyer@acme.example" in approved
    assert "Send to" not in sent and "Sent " in sent
    assert "Send to" not in read_only
