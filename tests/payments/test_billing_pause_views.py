"""The pages of a billing pause: the account page knows it in a fixed number of queries, the
account's billing page pauses and resumes with a reason (finance only), the dunning page lists
the paused accounts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Account, BillingPause, BillingState
from payments.services.billing_pause import pause_by_hand, resume_by_hand
from tests.payments.factories import account

pytestmark = pytest.mark.django_db


def paused_times(owner, finance, times: int) -> None:
    """`times` windows, the last one still open."""
    day = date(2026, 1, 1)
    for n in range(times):
        pause_by_hand(account=owner, by=finance, reason=f"Pause {n}",
                      on=date(2026, 1 + n, 1))
        if n < times - 1:
            resume_by_hand(account=owner, by=finance, reason="Back", on=date(2026, 1 + n, 10))
    assert day


def page_queries(client, owner) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:detail", args=[owner.pk]))
    assert response.status_code == 200
    return len(queries), response


def test_the_account_page_knows_the_pause_in_constant_queries(client, finance):
    # given two accounts, paused once and five times
    once, often = account(), account()
    paused_times(once, finance, 1)
    paused_times(often, finance, 5)
    client.force_login(finance)
    # when
    first, response = page_queries(client, once)
    second, other = page_queries(client, often)
    # then the page carries the open pause's first day and state, at the same cost
    assert first == second
    assert response.context["account"].billing_paused_on == date(2026, 1, 1)
    assert other.context["account"].billing_paused_on == date(2026, 5, 1)
    assert other.context["account"].billing_state == BillingState.PAUSED


def test_the_billing_page_lists_the_windows_in_constant_queries(client, finance):
    once, often = account(), account()
    paused_times(once, finance, 1)
    paused_times(often, finance, 5)
    client.force_login(finance)
    url = "payments:account_billing"
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(url, args=[once.pk]))
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse(url, args=[often.pk])).content.decode()
    assert len(one) == len(five)
    assert "Pause 0" in page and "Pause 4" in page and "Resume billing" in page


def test_finance_pauses_and_resumes_from_the_billing_page_with_a_reason(client, finance):
    owner = account()
    client.force_login(finance)
    url = reverse("payments:account_billing", args=[owner.pk])
    # a reason is required
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    # pause, then resume
    assert client.post(url, {"reason": "Card blocked", "credit_blocked_days": "on"}
                       ).status_code == 302
    pause = BillingPause.objects.get(account=owner)
    assert (pause.reason, pause.credit_blocked_days, pause.resumed_on) == (
        "Card blocked", True, None)
    assert client.post(url, {"reason": "Paid"}).status_code == 302
    pause.refresh_from_db()
    assert pause.resume_reason == "Paid" and pause.resumed_on is not None
    assert Account.objects.get(pk=owner.pk).billing_state == BillingState.BILLING


def test_a_sales_rep_sees_the_billing_page_but_cannot_pause_or_resume(client, sales_rep, finance):
    owner = account(owner=sales_rep)
    client.force_login(sales_rep)
    url = reverse("payments:account_billing", args=[owner.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Pause billing" not in page.content.decode()
    assert client.post(url, {"reason": "Late"}).status_code == 403
    pause_by_hand(account=owner, by=finance, reason="Late", on=date(2026, 11, 1))
    assert client.post(url, {"reason": "Paid"}).status_code == 403
    assert Account.objects.get(pk=owner.pk).billing_state == BillingState.PAUSED


def test_another_reps_account_is_not_found(client, sales_rep, other_rep):
    owner = account(owner=other_rep)
    client.force_login(sales_rep)
    assert client.get(reverse("payments:account_billing", args=[owner.pk])).status_code == 404


def test_the_dunning_page_lists_the_paused_accounts(client, finance):
    owner = account(name="Paused Customer Ltd")
    account(name="Running Customer Ltd")
    pause_by_hand(account=owner, by=finance, reason="Late", on=date(2026, 11, 1))
    client.force_login(finance)
    page = client.get(reverse("payments:dunning")).content.decode()
    assert "Paused Customer Ltd" in page and "Running Customer Ltd" not in page
    assert "1 account" in page
