"""The contract page after life happened (amendment, termination, renewal) and the amendment
page: what a person reads there, the next actions by role, and constant query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import Amendment
from quotes import services as quote_services
from tests.conftest import PASSWORD
from tests.contracts.factories import ON, active_contract
from tests.contracts.test_amendments import amended_to

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_rep_starts_an_amendment_from_the_contract_page(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    login(client, sales_rep)
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert reverse("contracts:amend", args=[contract.pk]) in page
    assert reverse("contracts:terminate", args=[contract.pk]) not in page  # finance's

    response = client.post(reverse("contracts:amend", args=[contract.pk]),
                           {"effective_on": "2027-03-15"})

    amendment = Amendment.objects.get(contract=contract)
    assert response.url == reverse("quotes:builder", args=[amendment.quote_id])


def test_a_bad_effective_date_comes_back_as_a_message(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    login(client, sales_rep)

    response = client.post(reverse("contracts:amend", args=[contract.pk]),
                           {"effective_on": "2030-01-01"}, follow=True)

    assert not Amendment.objects.exists()
    assert "on or before its end" in [str(m) for m in get_messages(response.wsgi_request)][0]


def test_the_amendment_page_explains_every_prorated_amount(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=date(2027, 3, 15), on=ON)
    quote_services.update_line(line=amendment.quote.lines.get(), by=sales_rep,
                               quantity=Decimal(8))
    login(client, sales_rep)

    body = client.get(reverse("contracts:amendment", args=[amendment.pk])).content.decode()

    assert "17 of 31 days × $127.50 = $69.92 + 8 periods × $127.50 = $1,089.92" in body
    assert "17 of 31 days × $204.00 = $111.87 + 8 periods × $204.00 = $1,743.87" in body
    assert "$653.95" in body


def test_the_contract_page_shows_ended_and_new_lines_and_the_applied_amendment(
        client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    amendment = amended_to(contract, sales_rep, Decimal(8))
    login(client, finance)

    body = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    applied = client.get(reverse("contracts:amendment", args=[amendment.pk])).content.decode()

    assert "2027-03-14" in body and "Ended" in body and "replaces #1" in body
    assert reverse("contracts:amendment", args=[amendment.pk]) in body
    assert "Applied on" in applied and "17 of 31 days × $204.00" in applied


def test_finance_terminates_from_the_page_and_reads_the_credit(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    login(client, finance)

    client.post(reverse("contracts:terminate", args=[contract.pk]),
                {"effective_on": "2027-03-15", "reason": "Closed down"})
    body = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert "17 of 31 days × $127.50 = $69.92" in body and "Credit for billing" in body
    assert reverse("contracts:amend", args=[contract.pk]) not in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_amended_contract_page_query_count_does_not_grow_with_lines(client, sales_rep,
                                                                         finance):
    small = active_contract(sales_rep, by=finance)
    big = active_contract(sales_rep, by=finance, seat_lines=12)
    small_amendment = amended_to(small, sales_rep, Decimal(8))
    big_amendment = amended_to(big, sales_rep, Decimal(8))
    login(client, sales_rep)
    _queries(client, reverse("contracts:detail", args=[small.pk]))  # warm caches

    assert (_queries(client, reverse("contracts:detail", args=[small.pk]))
            == _queries(client, reverse("contracts:detail", args=[big.pk])))
    assert (_queries(client, reverse("contracts:amendment", args=[small_amendment.pk]))
            == _queries(client, reverse("contracts:amendment", args=[big_amendment.pk])))
