"""Dunning emails as deliveries: one per step, sent or failed with the reason on the invoice's
dunning history, retried by notifications' backoff; and what they say: the late fees and
interest of the step and the new total due, in the account's language where a text exists."""

import importlib
from datetime import date, timedelta
from decimal import Decimal as D
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import TestCase
from django.urls import reverse

from core.models import TransitionLog
from notifications.models import Delivery, DeliveryState
from notifications.services import retry_due_deliveries
from payments.models import (
    DunningEvent,
    DunningPolicyStep,
    DunningTemplate,
    LateCharge,
    LateChargeKind,
)
from tests.conftest import PASSWORD
from tests.payments.factories import account, issued_invoice, rate
from tests.payments.test_dunning import ISSUED, dun
from tests.payments.test_late_charges import charging_policy, eur_invoice  # noqa: F401

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that drops the connection on every message."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def email_of(invoice) -> Delivery:
    return Delivery.objects.get(content_type__model="dunningevent",
                                object_id=DunningEvent.objects.get(invoice=invoice).pk)


def history_page(client, user, invoice) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("payments:dunning"), {"invoice": invoice.pk}).content.decode()


def test_each_reminder_is_a_delivery_of_its_step_shown_sent_on_the_invoices_history(
        client, finance):
    # given
    invoice, other = issued_invoice(on=ISSUED), issued_invoice(on=ISSUED)
    # when: the day after due, the first reminder of each
    dun(date(2026, 11, 1))
    # then
    email = email_of(invoice)
    assert (email.state, email.to, email.attempts) == (
        DeliveryState.SENT, [f"ap{invoice.account_id}@customer.example"], 1)
    assert [m.subject for m in mail.outbox] == [email.subject, email_of(other).subject]
    assert invoice.number in email.subject and email.body == mail.outbox[0].body
    assert TransitionLog.objects.get(object_id=email.pk, content_type__model="delivery"
                                     ).transition == "mark_sent"
    body = history_page(client, finance, invoice)
    assert "Sent" in body and f"ap{invoice.account_id}@customer.example" in body
    assert f"ap{other.account_id}@customer.example" not in body


def test_a_refused_email_fails_with_its_reason_shows_send_again_and_is_retried(
        client, finance, settings):
    # given: the mail server drops every message
    invoice = issued_invoice(on=ISSUED)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    # when
    dun(date(2026, 11, 1))
    # then: failed, with the reason and the next try; the step itself is taken
    email = email_of(invoice)
    assert (email.state, email.attempts) == (DeliveryState.FAILED, 1)
    assert email.failure_reason == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert email.next_attempt_at is not None and not mail.outbox
    body = history_page(client, finance, invoice)
    assert "Connection unexpectedly closed" in body and "Send again" in body
    # and once the server is back, notifications' retry sends it after the backoff
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with (time_machine.travel(email.next_attempt_at + timedelta(seconds=1), tick=False),
          TestCase.captureOnCommitCallbacks(execute=True)):
        assert retry_due_deliveries() == [email.pk]
    email.refresh_from_db()
    assert (email.state, email.attempts) == (DeliveryState.SENT, 2) and len(mail.outbox) == 1


def test_sales_roles_neither_see_dunning_emails_nor_send_them_again(client, sales_rep,
                                                                   sales_manager, settings):
    invoice = issued_invoice(account_=account(owner=sales_rep), on=ISSUED)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    dun(date(2026, 11, 1))
    for user in (sales_rep, sales_manager):
        assert client.login(username=user.username, password=PASSWORD)
        assert client.get(reverse("payments:dunning"), {"invoice": invoice.pk}
                          ).status_code == 403
        assert client.post(reverse("notifications:send_again", args=[email_of(invoice).pk])
                           ).status_code == 403
    assert Delivery.objects.count() == 1


def test_the_dunning_history_takes_the_same_queries_for_one_step_or_many(client, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.login(username=finance.username, password=PASSWORD)
    counts = []
    for size in (1, 6):
        for _ in range(size):
            issued_invoice(on=ISSUED)
        dun(date(2026, 10, 28) + timedelta(days=len(counts) * 4))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("payments:dunning"), {"action": "remind"})
        counts.append(len(queries))
    assert DunningEvent.objects.count() == 1 + 7 and Delivery.objects.count() == 8
    assert counts[0] == counts[1]


def test_a_reminder_names_its_late_fee_and_the_new_total_due(charging_policy):  # noqa: F811
    # given: EUR 40 at the first reminder (Directive 2011/7/EU art. 6), as the late charge tests
    invoice = eur_invoice()
    # when: the day after due
    dun(date(2026, 11, 1))
    # then: the fee and 10,000.00 + 40.00 due
    fee = LateCharge.objects.get(dunning_event__invoice=invoice)
    assert (fee.kind, fee.amount) == (LateChargeKind.FEE, D("40.00"))
    assert ("we charge €40.00 in late fees and €0.00 in interest: the new total due is "
            "€10,040.00.") in email_of(invoice).body


def test_a_later_reminder_names_its_interest_and_counts_the_unpaid_fee_in_the_total(
        charging_policy):  # noqa: F811
    invoice = eur_invoice()
    dun(date(2026, 11, 1))
    # 14 days past due: 10000 × (2.15 + 8) × 14 / 36500 = 38.93 interest (as test_late_charges)
    dun(date(2026, 11, 14))
    second = DunningEvent.objects.get(invoice=invoice, step_key="second-reminder")
    email = Delivery.objects.get(content_type__model="dunningevent", object_id=second.pk)
    assert ("we charge €0.00 in late fees and €38.93 in interest: the new total due is "
            "€10,078.93.") in email.body


def test_a_step_without_charges_says_nothing_of_them():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 11, 1))
    assert "late fees" not in email_of(invoice).body


@pytest.fixture
def german_texts():
    """The German texts migration 0015 seeds (a transactional test before may have flushed
    them)."""
    from django.apps import apps

    importlib.import_module("payments.migrations.0015_german_dunning_texts").seed(apps, None)


def test_a_german_account_gets_the_german_text_with_its_charges(
        charging_policy, german_texts):  # noqa: F811
    # given: the standard policy's texts, and a customer whose documents are German
    invoice = issued_invoice(account_=account(currency="EUR", document_language="de"),
                             net=D("1000.00"), on=ISSUED)
    # when
    dun(date(2026, 11, 1))
    # then
    email = email_of(invoice)
    assert email.subject == f"Rechnung {invoice.number} ist überfällig"
    assert "Bitte bezahlen Sie hier" in email.body
    # amounts as German writes money (1.040,00 €), also where the seeded text wrote
    # "{{ amount_due }} {{ invoice.currency }}"
    assert "Tagen überfällig; 1.000,00\xa0€ sind noch offen." in email.body
    assert ("berechnen wir 40,00\xa0€ Mahngebühren und 0,00\xa0€ Verzugszinsen: der neue "
            "fällige Gesamtbetrag ist 1.040,00\xa0€.") in email.body


def test_a_text_that_names_the_charges_itself_is_sent_as_written(charging_policy):  # noqa: F811
    DunningTemplate.objects.filter(key="overdue", language="").update(
        body="Pay {{ new_total_due }} {{ currency }} (fee {{ fees }}).")
    invoice = eur_invoice()
    dun(date(2026, 11, 1))
    assert email_of(invoice).body == "Pay €10,040.00 (fee €40.00)."


@pytest.mark.real_pdf
def test_a_french_account_gets_the_french_default_text_with_french_amounts():
    # given: a French customer, and a step without a template (the default text)
    DunningPolicyStep.objects.filter(key="before-due").update(template=None)
    rate("EUR", "1.10")
    invoice = issued_invoice(account_=account(currency="EUR", document_language="fr"),
                             net=D("1234.50"), on=ISSUED)
    # when: three days before due, the standard policy's courtesy reminder
    dun(date(2026, 10, 28))
    # then
    email = email_of(invoice)
    assert email.subject == f"La facture {invoice.number} est échue"
    assert f"la facture {invoice.number} de 1\u202f234,50\xa0€ était payable" in email.body


def test_the_escalation_to_staff_stays_in_english_for_a_german_account():
    invoice = issued_invoice(account_=account(document_language="de"), on=ISSUED)
    dun(date(2026, 11, 21))
    email = email_of(invoice)
    assert email.subject.endswith("is 21 days late")
    assert invoice.account.owner.email in email.to


def test_a_run_on_a_day_without_email_steps_queues_no_email():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 11, 3))  # the charge retry step: no saved card, no email
    assert DunningEvent.objects.get(invoice=invoice).step_key == "retry-charge"
    assert not Delivery.objects.exists()
