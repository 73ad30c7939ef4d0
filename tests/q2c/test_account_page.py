"""The account page gathers every stage's documents for one customer, as the user may see
them, in a number of queries that does not grow with the documents."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.services.ordering import create_order_from_contract
from tests.contracts.factories import active_contract
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db


def test_account_page_lists_the_quote_contract_and_order_of_the_account(client, sales_rep,
                                                                          other_rep, finance):
    # given an active contract for the rep's customer, and another rep's quote (noise)
    contract = active_contract(sales_rep, by=finance)
    order = create_order_from_contract(contract=contract, by=finance)
    noise = draft_quote(other_rep, lines=[("SEAT-USER", 1, "0")])
    client.force_login(finance)

    # when
    response = client.get(reverse("accounts:detail", args=[contract.account_id]))

    # then
    html = response.content.decode()
    assert contract.number in html and contract.quote.number in html
    assert order.number in html
    assert noise.number not in html


def test_a_rep_cannot_open_another_reps_account(client, sales_rep, other_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    client.force_login(other_rep)

    assert client.get(reverse("accounts:detail", args=[contract.account_id])).status_code == 404


def test_account_page_queries_do_not_grow_with_the_quotes(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    url = reverse("accounts:detail", args=[contract.account_id])
    client.force_login(finance)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
        for _ in range(4):
            draft_quote(sales_rep, account=contract.account, lines=[("SEAT-USER", 1, "0")])
    assert counts[0] == counts[1]


def test_the_account_page_shows_the_next_charges_from_the_schedule(client, sales_rep, finance):
    # given 5 seats at $127.50 a month from 1 December 2026, and an onboarding fee on that day
    contract = active_contract(sales_rep, by=finance)
    client.force_login(finance)

    # when the page is read on 23 November 2026
    response = client.get(reverse("accounts:detail", args=[contract.account_id]))

    # then the next invoices are the schedule's first due days, each with its amount
    upcoming = response.context["upcoming"]
    assert [u.due_on.isoformat() for u in upcoming] == [
        "2026-12-01", "2027-01-01", "2027-02-01", "2027-03-01"]
    assert [u.total for u in upcoming[1:]] == [D("127.50")] * 3
    assert upcoming[0].total == D("127.50") + contract.lines.get(
        product__sku="ONBOARDING").net_amount
    assert "Upcoming charges" in response.content.decode()
