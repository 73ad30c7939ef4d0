"""Statements of account by email: finance sends one from the statement page (the PDF to the
billing contacts, as a delivery with its status); sales roles read the page and are refused the
sending; the monthly task sends last month's to the accounts that ask, once a month."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from customers.models import Contact
from notifications.models import Delivery, DeliveryState
from payments.models import PaymentsProfile
from payments.services.statement_mail import send_monthly_statements, send_statement
from payments.tasks import send_monthly_statements_task
from tests.conftest import PASSWORD
from tests.payments.factories import account, issued_invoice

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-08-26", "end": "2026-11-23"}


def statements_of(customer):
    return Delivery.objects.filter(content_type__model="account", object_id=customer.pk)


@pytest.mark.real_pdf
def test_finance_emails_the_statement_pdf_from_the_statement_page(client, finance):
    # given: an account with an open invoice, and another account (noise)
    customer, other = account(), account()
    invoice = issued_invoice(account_=customer)
    assert client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("payments:statement", args=[customer.pk]), PERIOD)
    assert f"ap{customer.pk}@customer.example" in page.content.decode()
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("payments:statement_send", args=[customer.pk]), PERIOD)
    # then: one delivery of the account, sent, with the statement PDF
    assert response.status_code == 302
    delivery = statements_of(customer).get()
    assert (delivery.state, delivery.to) == (DeliveryState.SENT,
                                             [f"ap{customer.pk}@customer.example"])
    [sent] = mail.outbox
    [(name, content, mimetype)] = sent.attachments
    assert (name, mimetype) == (f"statement-{customer.pk}-2026-11-23.pdf", "application/pdf")
    assert content.startswith(b"%PDF") and "as of 23 November 2026" in sent.body
    assert not statements_of(other).exists()
    body = client.get(reverse("payments:statement", args=[customer.pk]), PERIOD
                      ).content.decode()
    assert "Sent" in body and invoice.number not in body  # the page lists emails, not lines


def test_sales_roles_read_the_statement_page_but_cannot_send_it(client, sales_rep,
                                                                sales_manager, other_rep):
    mine, theirs = account(owner=sales_rep), account(owner=other_rep)
    for user in (sales_rep, sales_manager):
        assert client.login(username=user.username, password=PASSWORD)
        page = client.get(reverse("payments:statement", args=[mine.pk]))
        assert page.status_code == 200 and "Email to" not in page.content.decode()
        assert client.post(reverse("payments:statement_send", args=[mine.pk]), PERIOD
                           ).status_code == 403
    assert client.get(reverse("payments:statement", args=[theirs.pk])).status_code == 404
    with pytest.raises(PermissionDenied, match="not allowed to send documents"):
        send_statement(account=mine, start=date(2026, 11, 1), end=date(2026, 11, 23),
                       by=sales_rep)
    assert not Delivery.objects.exists()


def test_a_bad_period_or_no_billing_contact_is_said_and_nothing_is_queued(client, finance):
    customer = account()
    assert client.login(username=finance.username, password=PASSWORD)
    url = reverse("payments:statement_send", args=[customer.pk])
    backwards = client.post(url, {"start": "2026-11-23", "end": "2026-11-01"})
    assert backwards.status_code == 400
    assert "The period must start before it ends." in backwards.content.decode()
    assert client.post(url, {"start": "someday", "end": ""}).status_code == 400
    Contact.objects.filter(account=customer).delete()
    nobody = client.post(url, PERIOD)
    assert nobody.status_code == 400
    assert "has no billing contact with an email address" in nobody.content.decode()
    assert not Delivery.objects.exists()


def test_the_statement_page_takes_the_same_queries_for_one_email_or_many(client, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = account()
    assert client.login(username=finance.username, password=PASSWORD)
    counts = []
    for _ in range(2):
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("payments:statement_send", args=[customer.pk]), PERIOD)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("payments:statement", args=[customer.pk]))
        counts.append(len(queries))
    assert statements_of(customer).count() == 2 and counts[0] == counts[1]


def test_monthly_statements_go_once_a_month_to_the_accounts_that_ask():
    # given: two accounts that ask (one without a billing contact), one that does not
    asks, silent, unreachable = account(), account(), account()
    for customer in (asks, unreachable):
        PaymentsProfile.objects.create(account=customer, monthly_statement=True)
    PaymentsProfile.objects.create(account=silent)
    Contact.objects.filter(account=unreachable).delete()
    # when: early December, twice (beat may fire again)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_monthly_statements(on=date(2026, 12, 2)) == 1
    assert send_monthly_statements(on=date(2026, 12, 3)) == 0
    # then: November's statement, to the account that asks and can be reached
    delivery = statements_of(asks).get()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attachments.get().filename == f"statement-{asks.pk}-2026-11-30.pdf"
    assert not statements_of(silent).exists() and not statements_of(unreachable).exists()
    assert PaymentsProfile.objects.get(account=asks).statements_sent_through == date(2026, 11,
                                                                                       30)
    # and January sends December's
    assert send_monthly_statements(on=date(2027, 1, 4)) == 1
    assert statements_of(asks).count() == 2


def test_the_monthly_task_runs_today_as_the_system_user():
    customer = account()
    PaymentsProfile.objects.create(account=customer, monthly_statement=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_monthly_statements_task.delay().get() == 1  # the clock: 2026-11-23
    assert statements_of(customer).get().attachments.get().filename == (
        f"statement-{customer.pk}-2026-10-31.pdf")


@pytest.mark.parametrize("language, subject, words", [
    ("de", "Kontoauszug {name}, 2026-11-23, von ", [
        "Guten Tag Payables,", "den Kontoauszug von {name} zum 23. November 2026:",
        "Gutschriften seit dem 1. Oktober 2026.", "Mit freundlichen Grüßen"]),
    ("fr", "Relevé de compte {name}, 2026-11-23, de ", [
        "Bonjour Payables,", "le relevé de compte de {name} au 23 novembre 2026 :",
        "avoirs depuis le 1 octobre 2026.", "Cordialement,"]),
    ("en", "Statement of account {name}, 2026-11-23, from ", [
        "Hello Payables,", "the statement of account of {name} as of 23 November 2026:",
        "credit notes from 1 October 2026.", "Kind regards,"]),
])
def test_the_statement_email_is_in_the_accounts_document_language(finance, language, subject,
                                                                   words):
    # given: a customer who reads its documents in `language`
    customer = account(document_language=language)
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_statement(account=customer, start=date(2026, 10, 1), end=date(2026, 11, 23),
                       by=finance)
    # then: subject and body in that language, the dates as it writes them
    [sent] = mail.outbox
    assert sent.subject.startswith(subject.format(name=customer.name))
    for phrase in words:
        assert phrase.format(name=customer.name) in sent.body
    assert "please find attached" not in sent.body or language == "en"
