"""A run's many emails (dunning steps, monthly statements): `queue_deliveries` writes them in
one COPY, `send_queued_deliveries` sends them over one connection and settles each as
`send_delivery` would (sent, or failed with its reason and backoff), with history rows."""

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from core.actors import Actor
from core.models import TransitionLog
from customers.models import Account
from notifications.models import Delivery, DeliveryState
from notifications.services import (
    NO_ADDRESS,
    Mail,
    queue_deliveries,
    send_queued_deliveries,
)
from tests.payments.factories import account

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender():
    return Actor.task("send_dunning_emails")


def three_accounts_mailed(sender):
    owners = [account() for _ in range(3)]
    queued = queue_deliveries(Account, [
        Mail(owners[0].pk, ["a@customer.example"], "Reminder", "Please pay."),
        Mail(owners[1].pk, [], "Reminder", "Please pay."),
        Mail(owners[2].pk, ["c@customer.example"], "Reminder", "Please pay.")], by=sender)
    return owners, queued


def test_queued_emails_wait_until_their_task_sends_them_once(sender):
    owners, queued = three_accounts_mailed(sender)
    assert queued == 3 and not mail.outbox
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.QUEUED}

    sent = send_queued_deliveries(Account, (owners[0].pk, owners[-1].pk), by=sender)

    assert sent == 2 and [m.to for m in mail.outbox] == [["a@customer.example"],
                                                          ["c@customer.example"]]
    failed = Delivery.objects.get(object_id=owners[1].pk)
    assert (failed.state, failed.failure_reason, failed.next_attempt_at) == (
        DeliveryState.FAILED, NO_ADDRESS, None)  # no address: waiting would not heal it
    assert sorted(TransitionLog.objects.values_list("transition", flat=True)) == [
        "mark_failed", "mark_sent", "mark_sent"]
    assert send_queued_deliveries(Account, (owners[0].pk, owners[-1].pk), by=sender) == 0
    assert len(mail.outbox) == 2


def test_only_the_documents_in_the_range_are_sent(sender):
    owners, _ = three_accounts_mailed(sender)
    assert send_queued_deliveries(Account, (owners[2].pk, owners[2].pk), by=sender) == 1
    assert Delivery.objects.filter(state=DeliveryState.QUEUED).count() == 2


def test_an_unreachable_mail_server_leaves_every_email_to_its_retry(sender):
    owners, _ = three_accounts_mailed(sender)
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.open",
                    side_effect=smtplib.SMTPConnectError(421, "busy")):
        assert send_queued_deliveries(Account, (owners[0].pk, owners[-1].pk), by=sender) == 0
    retried = Delivery.objects.exclude(failure_reason=NO_ADDRESS)
    assert retried.count() == 3
    assert all(d.state == DeliveryState.FAILED and d.next_attempt_at for d in retried)


def test_a_user_without_the_send_permission_queues_nothing(django_user_model):
    clerk = django_user_model.objects.create_user("clerk")
    with pytest.raises(PermissionDenied):
        queue_deliveries(Account, [Mail(account().pk, ["a@x.example"], "s", "b")], by=clerk)
    assert not Delivery.objects.exists()
