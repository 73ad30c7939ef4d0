"""The operations page for finance and admins, stalled runs on the role homes, and /health/."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from billing.models import InvoiceRun
from core.models import OutboxMessage
from notifications.models import Delivery, DeliveryState
from tests.conftest import PASSWORD
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def stalled_run(finance):
    run = InvoiceRun.objects.create(as_of=timezone.localdate(), created_by=finance)
    InvoiceRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1))
    return run


def test_finance_sees_the_backlog_the_broker_and_the_stalled_run(client, finance,
                                                                 stalled_run):
    OutboxMessage.objects.create(task="billing.tasks.run_invoice_run_task", args=[1],
                                 last_error="OperationalError: Error 111 connecting")
    client.login(username=finance.username, password=PASSWORD)

    page = client.get(reverse("operations:dashboard")).content.decode()

    assert "1 message not yet sent" in page and "Error 111" in page
    assert "tasks run in the web process" in page  # eager: no broker in the tests
    assert f"Invoice run {stalled_run.pk}" in page and "Last beat tick" in page


def test_other_roles_are_refused_the_operations_page(client, sales_rep, accountant):
    for user in (sales_rep, accountant):
        client.login(username=user.username, password=PASSWORD)
        assert client.get(reverse("operations:dashboard")).status_code == 403


def test_a_stalled_run_shows_on_finance_and_accountant_homes(client, finance, accountant,
                                                             stalled_run):
    for user in (finance, accountant):
        client.login(username=user.username, password=PASSWORD)
        page = client.get(reverse("home")).content.decode()
        assert "Stalled runs" in page and f"Invoice run {stalled_run.pk}" in page


def test_no_stalled_section_when_runs_move(client, finance, stalled_run):
    InvoiceRun.beat(stalled_run.pk)
    client.login(username=finance.username, password=PASSWORD)
    assert "Stalled runs" not in client.get(reverse("home")).content.decode()


def test_health_reports_database_broker_and_beat(client):
    body = client.get(reverse("health")).json()

    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] == "eager"
    assert body["beat"] == {"last_tick": None, "late": True}


def test_stalled_runs_of_every_kind_in_one_query(finance, stalled_run,
                                                 django_assert_num_queries):
    from datetime import date

    from operations.selectors import stalled_runs
    from payments.models import DunningRun
    from revrec.models import RecognitionRun

    hour_ago = timezone.now() - timedelta(hours=1)
    RecognitionRun.objects.create(month=date(2026, 11, 1), started_by=finance)
    DunningRun.objects.create(run_on=date(2026, 12, 5))
    RecognitionRun.objects.update(heartbeat_at=hour_ago, state="running")
    DunningRun.objects.update(heartbeat_at=hour_ago - timedelta(minutes=1))
    DunningRun.objects.create(run_on=date(2026, 12, 6))  # moving: not stalled

    with django_assert_num_queries(1):
        found = stalled_runs()

    assert [(r.label, r.state) for r in found] == [
        ("Dunning run 2026-12-05", "Running"), (f"Invoice run {stalled_run.pk}", "Pending"),
        ("Recognition November 2026", "Running")]


def test_failed_customer_emails_and_disabled_webhooks_show_with_a_link_to_them(
        client, finance):
    kind = ContentType.objects.get_for_model(finance)
    for state in (DeliveryState.FAILED, DeliveryState.SENT):
        Delivery.objects.create(content_type=kind, object_id=finance.pk, to=["ap@x.example"],
                                subject=f"Invoice ({state})", body="", state=state,
                                failure_reason="550 No such user" if state == "failed" else "")
    Endpoint.objects.create(url="https://erp.example/hook", owner=finance, active=False,
                            disabled_at=timezone.now(), disabled_reason="20 failures")
    client.login(username=finance.username, password=PASSWORD)

    page = client.get(reverse("operations:dashboard")).content.decode()
    outbox = client.get(reverse("notifications:outbox"), {"state": "failed"}).content.decode()

    assert "1 failed" in page and "?state=failed" in page
    assert "1 endpoint disabled" in page
    assert "Invoice (failed)" in outbox and "Invoice (sent)" not in outbox
    assert "Invoice (sent)" in client.get(reverse("notifications:outbox")).content.decode()
