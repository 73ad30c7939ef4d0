"""Destructive actions ask first and say what will happen (ux review 2026-12, gap 15)."""

from datetime import date

import pytest
from django.urls import reverse

from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from tests.ledger.factories import close_month

pytestmark = pytest.mark.django_db


def test_running_dunning_asks_first_saying_how_many_steps(client, finance):
    client.force_login(finance)
    body = client.get(reverse("payments:dunning")).content.decode()
    assert 'data-confirm="Take 0 dunning steps now? Reminders and notices are emailed' in body


def test_posting_a_reversal_asks_first_with_the_amount(client, finance):
    entry = services.post_entry(EntryDraft(date(2026, 11, 2), "By hand", [
        LineDraft(chart.CASH, debit="12.00"), LineDraft(chart.REVENUE, credit="12.00")]),
        by=finance)
    client.force_login(finance)
    body = client.get(reverse("ledger:entry", args=[entry.pk])).content.decode()
    assert f'data-confirm="Post a reversal of {entry.reference}? It mirrors every line' in body


def test_closing_and_reopening_a_month_ask_first(client, accountant):
    client.force_login(accountant)
    body = client.get(reverse("revrec:close"), {"month": "2026-10"}).content.decode()
    assert 'data-confirm="Close October 2026? Nothing more posts in it' in body

    period = close_month(date(2026, 9, 1), by=accountant)
    body = client.get(reverse("ledger:period", args=[period.pk])).content.decode()
    assert f'data-confirm="Reopen {period}? Documents may post in it again' in body
