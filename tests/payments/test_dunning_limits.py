"""The dunning run with account-wide limits, through the database: the account's whole overdue
balance per currency against a threshold, the spacing between steps for an account, and the
maximum of attempts per invoice."""

from datetime import date
from decimal import Decimal as D

import pytest

from payments.models import DunningEvent, DunningPolicy, DunningThreshold
from tests.payments.factories import account, issued_invoice
from tests.payments.test_dunning import dun

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 10, 1)  # net 30: due 2026-10-31


@pytest.fixture
def policy():
    policy = DunningPolicy.objects.get(is_default=True)
    policy.minimum_overdue = D("60.00")
    policy.save()
    return policy


def keys(invoice):
    return list(DunningEvent.objects.filter(invoice=invoice).order_by("pk")
                .values_list("step_key", flat=True))


def test_small_invoices_are_chased_when_the_accounts_overdue_balance_passes_the_threshold(
        policy):
    # given: a threshold of USD 100 on the account's whole overdue balance
    DunningThreshold.objects.create(policy=policy, currency="USD", minimum=D("100.00"))
    many = account()
    small = [issued_invoice(account_=many, net=D("40.00"), on=ISSUED) for _ in range(3)]
    lone = issued_invoice(net=D("40.00"), on=ISSUED)
    # when: the day after due
    dun(date(2026, 11, 1))
    # then: 120.00 overdue on one account is chased, invoice by invoice; 40.00 alone gets only
    # the reminder before the due date, which needs nothing overdue
    assert [keys(i) for i in small] == [["first-reminder"]] * 3
    assert keys(lone) == ["before-due"]


def test_without_a_threshold_each_invoice_must_pass_the_minimum(policy):
    many = account()
    small = [issued_invoice(account_=many, net=D("40.00"), on=ISSUED) for _ in range(3)]
    dun(date(2026, 11, 1))
    assert [keys(i) for i in small] == [["before-due"]] * 3


def test_steps_for_an_account_keep_their_spacing_and_stop_at_the_maximum(policy):
    # given: 5 days between steps for an account, at most 2 steps per invoice
    policy.minimum_days_between, policy.maximum_attempts = 5, 2
    policy.save()
    invoice = issued_invoice(net=D("100.00"), on=ISSUED)
    # when / then
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 3))  # retry-charge is due, but only 2 days since the last step
    assert keys(invoice) == ["first-reminder"]
    dun(date(2026, 11, 6))
    assert keys(invoice) == ["first-reminder", "retry-charge"]
    dun(date(2026, 12, 20))  # far later: the 2 attempts are taken
    assert keys(invoice) == ["first-reminder", "retry-charge"]
