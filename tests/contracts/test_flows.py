"""The hand-off from the customer's quote link to the contract, through the portal page."""

import pytest
import time_machine
from django.urls import reverse

from contracts.models import Contract, ContractState
from quotes.models import QuoteState
from quotes.services.sending import quote_link_token
from tests.contracts.factories import accepted_quote, sent_quote

pytestmark = pytest.mark.django_db


def test_accepting_through_the_quote_link_drafts_the_contract(client, sales_rep):
    # given: a sent quote, and an accepted one as noise (it already has its contract)
    accepted_quote(sales_rep)
    quote = sent_quote(sales_rep, seat_lines=3)

    # when
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False):
        response = client.post(reverse("portal:quote_accept", args=[quote_link_token(quote)]),
                               {"name": "Ada Buyer", "title": "CFO", "consent": "on"})

    # then
    assert response.status_code == 200
    quote.refresh_from_db()
    contract = Contract.objects.get(quote=quote)
    assert quote.state == QuoteState.ACCEPTED and contract.state == ContractState.DRAFT
    assert contract.lines.count() == quote.lines.count()
    assert Contract.objects.count() == 2
