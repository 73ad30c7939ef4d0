"""Concurrency on PostgreSQL: the same idempotency key from two threads charges once; two
payments applied to one invoice at once never over-apply. Skipped on SQLite (it serialises
writers, so there is no race to test)."""

import importlib
import threading
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection

from billing.models import Invoice, InvoiceState
from core.actors import Actor
from payments.gateways import sandbox
from payments.models import Payment, SandboxCharge
from payments.services import Application, allocate_payment, charge_invoice, record_payment
from tests.conftest import reseed_migration_data
from tests.payments.factories import ON, SUCCESS, account, card_token, issued_invoice

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.postgres("row locks and concurrent requests; SQLite serialises "
                                   "writers")]


@pytest.fixture(autouse=True)
def migration_data():
    reseed_migration_data()
    importlib.import_module("payments.migrations.0002_default_dunning_policy").seed(
        django_apps, None)


def race(*calls):
    """Run the calls at once in threads; their results or exceptions, in order."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        try:
            start.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at each outcome
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_requests_with_the_same_key_charge_once():
    invoice = issued_invoice()
    token = card_token(SUCCESS)
    customer = Actor.customer(name="Pat", ip=None)

    results = race(lambda: charge_invoice(invoice=invoice, token=token, by=customer),
                   lambda: charge_invoice(invoice=invoice, token=token, by=customer))

    assert all(isinstance(r, Payment) for r in results), results
    assert results[0].pk == results[1].pk
    assert SandboxCharge.objects.count() == 1 and Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0"))


def test_the_gateway_keeps_one_charge_per_key_under_concurrent_calls():
    token = card_token(SUCCESS)
    gateway = sandbox.SandboxGateway()

    def charge():
        return gateway.charge(token=token, amount=D("9.00"), currency="USD",
                              idempotency_key="race-1")

    first, second = race(charge, charge)
    assert first == second and SandboxCharge.objects.count() == 1


def test_two_payments_applied_to_one_invoice_at_once_never_over_apply(finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    payments = [record_payment(account=customer, method="check", amount=D("100.00"),
                               currency="USD", received_on=ON, by=finance) for _ in range(2)]

    results = race(*[lambda p=p: allocate_payment(
        payment=p, applications=[Application(invoice.pk, D("100.00"))], by=finance)
        for p in payments])

    assert sum(isinstance(r, Payment) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.state, invoice.amount_due, invoice.amount_paid) == (
        InvoiceState.PAID, D("0"), D("100.00"))
