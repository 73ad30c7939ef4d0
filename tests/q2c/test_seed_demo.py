"""The demo seed, run once (two months of history, to keep the test short): people,
customers and a history made through every stage; a second run adds nothing; every demo login
reaches a useful home page; visibility holds on the seeded data."""

import io
from datetime import date

import pytest
from celery import current_app
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from billing.models import Invoice, InvoiceRunFailure, InvoiceState
from contracts.models import Contract, ContractState
from core.models import OutboxMessage
from customers.models import Account, Contact
from ledger.models import AccountingPeriod, ExchangeRate, PeriodState
from payments.models import Payment
from q2c.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_USERS, EXTRA_ACCOUNTS
from quotes.models import Quote, QuoteState
from tests.conftest import reseed_migration_data

# Transactional: the history relies on each service committing, so the tasks it queues on
# commit (invoice runs, recognition chunks) run before the next business day.
pytestmark = pytest.mark.django_db(transaction=True)


def counts():
    return (get_user_model().objects.count(), Account.objects.count(), Contact.objects.count(),
            ExchangeRate.objects.count(), Quote.objects.count(), Contract.objects.count(),
            Invoice.objects.count(), Payment.objects.count())


def test_seed_demo_makes_people_customers_and_a_history_once(client, capsys, demo_company,
                                                             monkeypatch):
    # given a broker is configured (tasks would go to workers that read today's clock)
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setitem(current_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    # when
    reseed_migration_data()
    call_command("seed_demo", months=2, stdout=io.StringIO())

    # then every task it queued ran in-line on its business day, none is left for a worker
    assert not OutboxMessage.objects.filter(sent_at=None).exists()
    assert OutboxMessage.objects.exists()
    # and what it wrote carries the business day it happened, not today
    first_invoice = Invoice.objects.exclude(number=None).earliest("issue_on")
    assert first_invoice.created_at.date() == first_invoice.issue_on < date(2026, 11, 1)

    # then: the people, in their teams
    users = get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    sam = users.get(username="sam")
    assert sam.reporting_line.manager.username == "maria"
    # the customers, with a billing and a signing contact each, and two years of rates
    assert Account.objects.count() == len(DEMO_ACCOUNTS) + EXTRA_ACCOUNTS
    assert Contact.objects.count() == 2 * Account.objects.count()
    assert ExchangeRate.objects.filter(currency="EUR").count() == 25
    # a history through every stage: quotes in many states, active contracts, issued and paid
    # invoices, payments, and the past month closed through the close checklist
    states = set(Quote.objects.values_list("state", flat=True))
    assert {QuoteState.DRAFT, QuoteState.PENDING_APPROVAL, QuoteState.APPROVED,
            QuoteState.ACCEPTED} <= states
    assert Contract.objects.filter(state=ContractState.ACTIVE).exists()
    assert Invoice.objects.filter(state=InvoiceState.PAID).exists()
    assert Payment.objects.exists()
    assert AccountingPeriod.objects.filter(state=PeriodState.CLOSED).exists()
    # every run billed every account it took (review 2026-12: the same accounts failed every
    # run, silently)
    assert list(InvoiceRunFailure.objects.values_list("account__name", "reason")) == []

    # when run again, nothing is added
    before = counts()
    call_command("seed_demo")
    assert counts() == before
    out = capsys.readouterr().out
    assert "0 accounts added" in out and "fiona    Finance" in out

    # every demo login reaches its home page
    for username in [u[0] for u in DEMO_USERS] + ["admin"]:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        response = client.get("/")
        assert response.status_code == 200 and b"Welcome" in response.content, username

    # a rep sees only their own accounts
    client.login(username="wendy", password=DEMO_PASSWORD)
    response = client.get("/customers/?q=")
    wendy = users.get(username="wendy")
    assert all(a.owner == wendy for a in response.context["accounts"])


@pytest.mark.parametrize("setting, value, refusal", [
    ("COMPANY_IBAN", "", "need the seller's COMPANY_IBAN: run it with DEMO_COMPANY=1"),
    ("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend",
     "made-up addresses"),
])
def test_seed_demo_refuses_a_real_mail_server_or_a_seller_without_details(
        demo_company, settings, setting, value, refusal):
    setattr(settings, setting, value)
    with pytest.raises(CommandError, match=refusal):
        call_command("seed_demo", months=1, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="sam").exists()  # nothing made
