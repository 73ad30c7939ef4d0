"""Delivery of customer documents (review 2026-12, gap 2): issuing an invoice emails it to every
billing contact with its PDF and pay link; each email has a status (queued, sent, failed with
the reason, retried with backoff), Send again, and an outbox page; the countersigned contract
goes to the signer."""

import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from billing.models import Invoice, InvoiceLine, LineSource
from billing.services.issuing import issue_invoice
from core.transitions import history_for
from customers.models import Contact, ContactRole
from notifications.models import Delivery, DeliveryState
from notifications.selectors import deliveries_of
from notifications.services import retry_due_deliveries
from tests.contracts.factories import countersigned_contract
from tests.payments.factories import account

pytestmark = pytest.mark.django_db
HOST = "127.0.0.1:8822"


def draft_invoice():
    owner = account()  # with one billing contact, ap<pk>@customer.example
    Contact.objects.create(account=owner, name="Controller", email="controller@customer.example",
                           role=ContactRole.BILLING)
    Contact.objects.create(account=owner, name="Signer", email="signer@customer.example",
                           role=ContactRole.SIGNER)
    invoice = Invoice.objects.create(account=owner, currency="USD", subtotal=Decimal("100"),
                                     tax_total=0, total=Decimal("100"), amount_due=Decimal("100"))
    InvoiceLine.objects.create(invoice=invoice, position=1, source=LineSource.MANUAL,
                               description="Service", quantity=1, unit_price=Decimal("100"),
                               amount=Decimal("100"))
    return invoice


def test_issuing_emails_the_invoice_to_every_billing_contact_with_pdf_and_pay_link(
        finance, settings, django_capture_on_commit_callbacks):
    # given
    settings.SITE_URL = f"http://{HOST}"
    invoice = draft_invoice()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(invoice=invoice, by=finance)

    # then: one email to both billing contacts (not the signer), PDF attached, pay link
    [message] = mail.outbox
    assert sorted(message.to) == [f"ap{invoice.account_id}@customer.example",
                                  "controller@customer.example"]
    assert message.attachments[0][0] == f"{invoice.number}.pdf"
    assert f"http://{HOST}/pay/" in message.body
    [delivery] = deliveries_of(invoice)
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 1)
    assert [e.transition for e in history_for(delivery)] == ["mark_sent"]


def test_a_failed_send_keeps_the_reason_and_is_retried_after_backoff(
        finance, monkeypatch, time_machine, django_capture_on_commit_callbacks):
    # given: the mail server refuses
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"ap@customer.example": (550, b"No such user")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    invoice = draft_invoice()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(invoice=invoice, by=finance)

    # then
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and "No such user" in delivery.failure_reason
    assert delivery.next_attempt_at is not None
    assert retry_due_deliveries() == []  # not before the backoff has passed

    # when the server is back and the backoff has passed
    monkeypatch.undo()
    time_machine.shift(timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_due_deliveries() == [delivery.pk]

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)
    assert len(mail.outbox) == 1


def test_the_invoice_page_shows_the_status_and_sends_again_from_its_own_host(
        client, finance, django_capture_on_commit_callbacks):
    # given
    invoice = draft_invoice()
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(invoice=invoice, by=finance)
    client.force_login(finance)
    page = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert 'data-testid="delivery"' in page and "Sent" in page and "Send again" in page

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing_documents:invoice_send", args=[invoice.pk]),
                               HTTP_HOST=HOST)

    # then
    assert response.status_code == 302
    assert len(deliveries_of(invoice)) == 2 and len(mail.outbox) == 2
    assert f"http://{HOST}/pay/" in mail.outbox[-1].body


def test_only_who_may_send_sees_the_outbox_and_sends(client, finance, sales_rep,
                                                     django_capture_on_commit_callbacks):
    invoice = draft_invoice()
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(invoice=invoice, by=finance)
    delivery = Delivery.objects.get()

    client.force_login(sales_rep)
    assert client.get(reverse("notifications:outbox")).status_code == 403
    assert client.post(reverse("notifications:send_again", args=[delivery.pk])).status_code == 403
    assert client.post(reverse("billing_documents:invoice_send",
                               args=[invoice.pk])).status_code == 403

    client.force_login(finance)
    page = client.get(reverse("notifications:outbox")).content.decode()
    assert f"Invoice {invoice.number}" in page and f"{invoice.number}.pdf" in page


def test_the_countersigned_contract_goes_to_the_signer(sales_rep, finance,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contract = countersigned_contract(sales_rep, by=finance)

    [delivery] = deliveries_of(contract)
    assert delivery.state == DeliveryState.SENT and delivery.to == ["buyer@acme.example"]
    message = mail.outbox[-1]
    assert message.subject == f"Contract {contract} is countersigned: your copy"
    assert message.attachments[0][0] == f"{contract.number}.pdf"


def test_send_again_from_the_outbox_resends_the_same_email(client, finance,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(invoice=draft_invoice(), by=finance)
    first = Delivery.objects.get()
    client.force_login(finance)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:send_again", args=[first.pk]))

    assert response.status_code == 302
    again = Delivery.objects.exclude(pk=first.pk).get()
    assert (again.state, again.subject, again.to) == (DeliveryState.SENT, first.subject, first.to)
    assert [a.filename for a in again.attachments.all()] == [f"{invoice.number}.pdf"]
    assert mail.outbox[-1].body == mail.outbox[0].body
