"""The issue's story, end to end: a customer pays an invoice through the link with a test
card; finance applies a bank transfer across two invoices and refunds a payment; dunning
reminds, retries and writes off an old invoice; the aging report and the journals agree."""

from datetime import date, datetime
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from billing.models import InvoiceState
from core.actors import Actor
from ledger import chart
from ledger.selectors import receivable_balances, trial_balance
from payments.aging import ar_aging
from payments.models import DunningEvent, Payment
from payments.services import (
    Application,
    pay_link_token,
    record_payment,
    refund_payment,
    run_dunning,
)
from tests.payments.factories import SUCCESS, account, issued_invoice

pytestmark = pytest.mark.django_db


def test_cash_from_link_to_write_off(client, finance):
    # A customer pays through the link with a test card.
    paid_by_card = issued_invoice(net=D("80.00"))
    token = pay_link_token(paid_by_card)
    back = client.post(reverse("payments:sandbox_tokenize"), {
        "number": SUCCESS, "exp_month": "12", "exp_year": "2030", "cvc": "123",
        "return_url": reverse("pay:card", args=[token])}).url
    card_token = parse_qs(urlparse(back).query)["card_token"][0]
    client.post(reverse("pay:card", args=[token]), {"card_token": card_token, "name": "Pat"})
    paid_by_card.refresh_from_db()
    assert paid_by_card.state == InvoiceState.PAID

    # Finance applies one bank transfer across two invoices, then refunds part of it.
    customer = account()
    first = issued_invoice(account_=customer, net=D("100.00"))
    second = issued_invoice(account_=customer, net=D("60.00"))
    transfer = record_payment(account=customer, method="bank_transfer", amount=D("160.00"),
                              currency="USD", received_on=None, by=finance,
                              applications=[Application(first.pk, D("100.00")),
                                            Application(second.pk, D("60.00"))])
    refund_payment(payment=transfer, amount=D("60.00"), reason="Second invoice disputed",
                   by=finance)
    second.refresh_from_db()
    assert second.state == InvoiceState.ISSUED

    # Dunning: an old invoice is reminded, then written off; reruns do nothing new.
    old = issued_invoice(account_=account(), net=D("50.00"), on=date(2026, 6, 1))
    system = Actor.task("run_dunning")
    for day in (date(2026, 7, 2), date(2026, 7, 2), date(2026, 11, 23)):
        with (time_machine.travel(datetime(day.year, day.month, day.day, 6), tick=False),
              TestCase.captureOnCommitCallbacks(execute=True)):
            run_dunning(by=system, on=day)
    old.refresh_from_db()
    assert list(DunningEvent.objects.filter(invoice=old).values_list("step_key", flat=True)
                .order_by("pk")) == ["first-reminder", "write-off"]
    assert old.state == InvoiceState.UNCOLLECTIBLE and len(mail.outbox) >= 1

    # The aging report and the journals agree.
    balance = trial_balance()
    assert balance.is_balanced
    ledger = sum((b.functional for b in receivable_balances().values()), D(0))
    aging = sum((row.total for row in ar_aging(as_of=date(2026, 11, 23)).totals()), D(0))
    assert ledger == aging == D("60.00")  # the refunded invoice is due again
    cash = next(row for row in balance.rows if row.code == chart.CASH)
    assert cash.balance == D("80.00") + D("160.00") - D("60.00")
    assert Payment.objects.count() == 2

