"""A usage period priced below its minimum (commitment) is billed as two lines: the usage, and
the shortfall that tops it up, each with its own amount and tax (issue 17, "minimum charge per
period with the shortfall billed as its own line").

Lago, spending minimum (getlago.com/docs/guide/plans/charges/spending-minimum): usage below the
commitment is topped up by a "true-up fee" shown as its own line. Here: 6,000 events with 1,000
included at 0.01 = 50.00 used, a minimum of 100.00, so a 50.00 shortfall line."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import timezone

from billing.models import BillingRecord, Invoice, UsageRecord
from billing.services.runs import create_invoice_run
from catalog.pricing import PriceSpec
from tests.billing.factories import active_contract, product
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def metered(account, *, discount_percent=0):
    meter = product("MTU", kind="usage")
    spec = PriceSpec(model="per_unit", currency="USD", billing_period="monthly",
                     unit_amount=D("0.010"), minimum_amount=D(100), included_units=D(1000))
    active_contract(account=account, start_on=date(2026, 10, 1), end_on=date(2027, 9, 30),
                    lines=[{"product": meter, "amount": "0", "discount_percent": discount_percent,
                            "snapshot": {**spec.to_dict(),
                                         "source": {"prices_include_tax": False}}}])
    UsageRecord.objects.create(account=account, product=meter, quantity=6000,
                               idempotency_key=f"mtu-{account.pk}",
                               occurred_at=timezone.make_aware(
                                   timezone.datetime(2026, 10, 15, 12)))


def billed(django_capture_on_commit_callbacks, finance, account) -> Invoice:
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=date(2026, 11, 1))
    return Invoice.objects.get(account=account)


def test_the_shortfall_below_the_minimum_is_its_own_line(django_capture_on_commit_callbacks,
                                                         finance):
    account = AccountFactory(bill_day=1, currency="USD")
    metered(account)

    invoice = billed(django_capture_on_commit_callbacks, finance, account)

    lines = [(line.source, line.description.split(":")[0], line.quantity, line.amount)
             for line in invoice.lines.order_by("position")]
    assert lines == [("usage", lines[0][1], D(6000), D("50.00")),
                     ("shortfall", "Minimum commitment shortfall", D(1), D("50.00"))]
    assert invoice.subtotal == D("100.00")
    # one charge, one billing record: the usage line's, for the whole 100.00
    record = BillingRecord.objects.get(invoice=invoice)
    assert (record.invoice_line.source, record.amount) == ("usage", D("100.00"))
    assert UsageRecord.objects.get(account=account).billing_record == record


def test_the_lines_discount_is_shared_by_usage_and_shortfall(
        django_capture_on_commit_callbacks, finance):
    """10 % off 100.00 is 90.00, split as the list amount splits (50 : 50): 45.00 and 45.00."""
    account = AccountFactory(bill_day=1, currency="USD")
    metered(account, discount_percent=10)

    invoice = billed(django_capture_on_commit_callbacks, finance, account)

    assert [line.amount for line in invoice.lines.order_by("position")] == [D("45.00"),
                                                                         D("45.00")]
    assert invoice.subtotal == D("90.00")
