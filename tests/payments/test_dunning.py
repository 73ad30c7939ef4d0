"""The daily dunning run with a frozen clock: each step once per invoice, reruns add nothing,
emails to the right people, the overdue flag through customers, charge retries and the
write-off of an old invoice."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core import mail

from billing.models import InvoiceState
from core.actors import Actor
from payments.models import (
    AccountDunning,
    DunningEvent,
    DunningRun,
    DunningRunChunk,
    DunningRunState,
)
from payments.services import Application, record_payment, run_dunning, save_card
from payments.services.dunning import run_dunning_chunk
from payments.tasks import run_dunning_task
from tests.payments.factories import DECLINED, SUCCESS, account, card_token, issued_invoice

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 10, 1)  # net 30: due 2026-10-31


def system():
    return Actor.task("run_dunning")


def dun(day: date):
    """The run at 06:00 on that day, its emails sent once the run commits."""
    from django.test import TestCase

    with (time_machine.travel(datetime.combine(day, datetime.min.time()).replace(hour=6),
                              tick=False),
          TestCase.captureOnCommitCallbacks(execute=True)):
        return run_dunning(by=system(), on=day)


def steps(invoice) -> list[str]:
    return list(DunningEvent.objects.filter(invoice=invoice).order_by("pk")
                .values_list("step_key", flat=True))


def test_a_reminder_before_due_then_after_each_once():
    # given
    invoice = issued_invoice(on=ISSUED)
    # when / then: three days before due
    dun(date(2026, 10, 28))
    assert steps(invoice) == ["before-due"]
    assert len(mail.outbox) == 1 and invoice.number in mail.outbox[0].subject
    assert mail.outbox[0].to == [f"ap{invoice.account_id}@customer.example"]
    assert "/pay/" in mail.outbox[0].body
    # a rerun the same day does nothing new
    dun(date(2026, 10, 28))
    assert steps(invoice) == ["before-due"] and len(mail.outbox) == 1
    # the day after due: the first reminder, once
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 1))
    assert steps(invoice) == ["before-due", "first-reminder"] and len(mail.outbox) == 2


def test_a_run_that_missed_days_takes_only_the_latest_step_and_records_the_skipped():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 12, 5))  # 35 days late: final notice, the earlier ones passed over
    event = DunningEvent.objects.get(invoice=invoice)
    assert event.step_key == "final-notice"
    assert event.skipped == ["before-due", "first-reminder", "retry-charge",
                             "second-reminder", "escalate"]


def step_events():
    from core.models import Event

    return list(Event.objects.filter(type="dunning.escalated", content_type__model="dunningevent")
                .order_by("object_id").values_list("object_id", flat=True))


def test_each_step_taken_records_one_webhook_event_and_a_rerun_records_none(finance):
    # given: two late invoices, one paid, one whose run passes over earlier steps
    late, paid = issued_invoice(on=ISSUED), issued_invoice(on=ISSUED)
    record_payment(account=paid.account, method="check", amount=D("100.00"), currency="USD",
                   received_on=date(2026, 10, 20), by=finance,
                   applications=[Application(paid.pk, D("100.00"))])
    skipping = issued_invoice(on=date(2026, 9, 1))
    # when
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 1))
    # then: one event per step taken (none for the paid invoice, none for passed-over steps)
    taken = list(DunningEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(taken) == 2 and DunningEvent.objects.get(invoice=skipping).skipped
    assert step_events() == taken
    # the next day's step adds its own event only
    dun(date(2026, 11, 5))
    assert step_events() == list(DunningEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(step_events()) == 3 and steps(late) == ["first-reminder", "retry-charge"]


def test_the_run_is_recorded_once_per_day_and_completed():
    issued_invoice(on=ISSUED)
    first = dun(date(2026, 11, 1))
    again = dun(date(2026, 11, 1))
    assert first.pk == again.pk and again.state == DunningRunState.COMPLETED
    assert (again.invoices_seen, again.steps_taken) == (1, 1)
    assert DunningRun.objects.count() == 1


def chunk_of(invoices, day):
    run = DunningRun.objects.create(run_on=day)
    return DunningRunChunk.objects.create(run=run, first_invoice_id=invoices[0].pk,
                                          last_invoice_id=invoices[-1].pk)


def test_a_chunk_is_done_once_and_the_last_chunk_completes_the_run():
    invoice = issued_invoice(on=ISSUED)
    chunk = chunk_of([invoice], date(2026, 11, 1))
    assert run_dunning_chunk(chunk=chunk, by=system()).steps_taken == 1
    assert run_dunning_chunk(chunk=chunk, by=system()).steps_taken == 1
    assert DunningEvent.objects.count() == 1
    chunk.run.refresh_from_db()
    assert chunk.run.state == DunningRunState.COMPLETED


def test_a_big_run_is_split_into_chunks(monkeypatch):
    from payments.services import dunning as service

    monkeypatch.setattr(service, "CHUNK_SIZE", 2)
    invoices = [issued_invoice(on=ISSUED) for _ in range(5)]
    run = dun(date(2026, 11, 1))
    run.refresh_from_db()
    assert list(run.chunks.values_list("first_invoice_id", "last_invoice_id")) == [
        (invoices[0].pk, invoices[1].pk), (invoices[2].pk, invoices[3].pk),
        (invoices[4].pk, invoices[4].pk)]
    assert (run.state, run.steps_taken, run.invoices_seen) == (DunningRunState.COMPLETED, 5, 5)


def test_a_failed_chunk_fails_the_run_and_the_next_run_resumes_it(monkeypatch):
    from payments.services import dunning as service

    invoice = issued_invoice(on=ISSUED)
    real = service._take_steps

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_take_steps", broken)
    with pytest.raises(RuntimeError):
        dun(date(2026, 11, 1))
    run = DunningRun.objects.get()
    assert run.state == DunningRunState.FAILED and "database went away" in run.failure
    monkeypatch.setattr(service, "_take_steps", real)
    dun(date(2026, 11, 1))
    run.refresh_from_db()
    assert run.state == DunningRunState.COMPLETED and steps(invoice) == ["first-reminder"]


def test_paid_and_paused_invoices_are_not_chased(finance):
    paid, paused = issued_invoice(on=ISSUED), issued_invoice(on=ISSUED)
    record_payment(account=paid.account, method="check", amount=D("100.00"), currency="USD",
                   received_on=date(2026, 10, 20), by=finance,
                   applications=[Application(paid.pk, D("100.00"))])
    AccountDunning.objects.create(account=paused.account, paused=True, pause_reason="Disputed")
    dun(date(2026, 11, 1))
    assert steps(paid) == [] and steps(paused) == []


def test_escalation_goes_to_the_owner_and_finance():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 11, 21))  # 21 days late
    assert steps(invoice) == ["escalate"]
    assert invoice.account.owner.email in mail.outbox[0].to


def test_suspension_sets_the_overdue_flag_through_customers():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 12, 15))  # 45 days late
    invoice.account.refresh_from_db()
    assert steps(invoice) == ["suspend"] and invoice.account.is_overdue
    assert invoice.account.overdue_since == date(2026, 12, 15)


def test_an_old_invoice_is_written_off_also_when_partly_paid(finance):
    # given: issued in 2026-01, 30 paid
    invoice = issued_invoice(on=date(2026, 1, 5))
    record_payment(account=invoice.account, method="check", amount=D("30.00"),
                   currency="USD", received_on=date(2026, 2, 1), by=finance,
                   applications=[Application(invoice.pk, D("30.00"))])
    # when: 120+ days after the due date
    dun(date(2026, 6, 10))
    # then
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNCOLLECTIBLE and invoice.amount_written_off == D("70")
    event = DunningEvent.objects.get(invoice=invoice)
    assert event.step_key == "write-off" and event.outcome == "wrote off $70.00"


def test_the_charge_retry_step_charges_the_saved_card_again():
    # given: an autopay account whose first charge was declined
    customer = account()
    save_card(account=customer, token=card_token(DECLINED), by=system())
    invoice = issued_invoice(account_=customer, on=ISSUED)
    from payments.services import run_autopay

    run_autopay(by=system(), on=ISSUED)
    save_card(account=customer, token=card_token(SUCCESS), by=system())  # the customer updates
    # when: three days late
    dun(date(2026, 11, 3))
    # then
    invoice.refresh_from_db()
    assert steps(invoice) == ["retry-charge"] and invoice.state == InvoiceState.PAID
    assert "succeeded" in DunningEvent.objects.get(invoice=invoice).outcome


def test_the_task_runs_today_as_the_system_user():
    from django.test import TestCase

    invoice = issued_invoice(on=ISSUED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        run_id = run_dunning_task.delay().get()  # the test clock is 2026-11-23: 23 days late
    assert DunningRun.objects.get(pk=run_id).steps_taken == 1
    assert steps(invoice) == ["escalate"]
    assert DunningEvent.objects.get().created_by.username == "system"


def test_the_chunk_query_count_does_not_grow_with_invoices():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 8):
        invoices = [issued_invoice(on=ISSUED) for _ in range(size)]
        day = date(2026, 11, 1) + timedelta(days=len(counts))
        warm = chunk_of(invoices, day - timedelta(days=10))
        run_dunning_chunk(chunk=warm, by=system())  # nothing due then: warms caches
        chunk = chunk_of(invoices, day)
        with CaptureQueriesContext(connection) as queries:
            run_dunning_chunk(chunk=chunk, by=system())
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_chunks_emails_take_the_same_queries_for_one_step_or_many_and_go_once():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.models import Contact
    from notifications.models import Delivery
    from payments.services.dunning_mail import send_dunning_emails

    counts = []
    for day, size in ((date(2026, 11, 1), 1), (date(2026, 11, 2), 8)):
        # given: a chunk whose steps are reminders, one account without any contact
        invoices = [issued_invoice(on=ISSUED) for _ in range(size)]
        Contact.objects.filter(account_id=invoices[0].account_id).delete()
        chunk = run_dunning_chunk(chunk=chunk_of(invoices, day), by=system())
        mail.outbox.clear()
        # when
        steps = DunningEvent.objects.filter(run=chunk.run).order_by("pk")
        first, last = steps.first().pk, steps.last().pk
        with CaptureQueriesContext(connection) as queries:
            sent = send_dunning_emails(first_step_id=first, last_step_id=last)
        counts.append(len(queries))
        # then: everyone with an address got one email; the other step's email failed
        assert sent == len(mail.outbox) == size - 1
        emails = Delivery.objects.filter(object_id__in=DunningEvent.objects.filter(
            run=chunk.run).values("pk"), content_type__model="dunningevent")
        assert sorted(emails.filter(state="failed").values_list("to", "failure_reason")) == [
            ([], "The account has no contact with an email address.")]
        assert send_dunning_emails(first_step_id=first, last_step_id=last) == 0
        assert len(mail.outbox) == size - 1
    assert counts[0] == counts[1]


def test_the_dunning_page_previews_today_then_shows_what_was_done(client, finance):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    invoice = issued_invoice(on=ISSUED)  # 23 days late today: escalate
    other = issued_invoice(on=ISSUED)
    assert client.login(username=finance.username, password=PASSWORD)
    body = client.get(reverse("payments:dunning")).content.decode()
    assert "Due in today" in body and invoice.number in body
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("payments:dunning_run"), follow=True)
    assert "queued" in response.content.decode()
    body = client.get(reverse("payments:dunning")).content.decode()
    assert "2 steps over 2 invoices" in body and "Due in today" not in body
    one = client.get(reverse("payments:dunning"), {"invoice": invoice.pk}).content.decode()
    assert invoice.number in one and other.number not in one
