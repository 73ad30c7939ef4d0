"""The contract pages: who may open them, the next actions as POST buttons with messages, and
a detail page whose query count does not grow with its lines."""

from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractState
from tests.conftest import PASSWORD
from tests.contracts.factories import active_contract, draft_contract, signed_contract
from tests.contracts.test_amendment_pages import SHORTER_MARCH

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("catalog_admin", 403), ("sales_rep", 200), ("sales_manager", 200),
    ("finance", 200), ("accountant", 200),
])
def test_the_contract_list_by_role(client, role_users, role, status):
    if role != "anonymous":
        login(client, role_users[role])

    assert client.get(reverse("contracts:list")).status_code == status


def test_the_list_filters_by_state_and_search(client, sales_rep, other_rep):
    mine, other = draft_contract(sales_rep), draft_contract(other_rep)
    login(client, sales_rep)

    body = client.get(reverse("contracts:list"), {"state": "draft"}).content.decode()
    assert mine.number in body and other.number not in body
    body = client.get(reverse("contracts:list"), {"q": "nothing-like-it"}).content.decode()
    assert mine.number not in body and "No contracts match." in body


def test_another_teams_contract_is_not_found(client, sales_rep, other_rep):
    contract = draft_contract(other_rep)
    login(client, sales_rep)

    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 404


def test_the_rep_sends_the_draft_and_sees_the_signature_link(client, sales_rep):
    # given
    contract = draft_contract(sales_rep)
    login(client, sales_rep)
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert reverse("contracts:send", args=[contract.pk]) in detail

    # when
    response = client.post(reverse("contracts:send", args=[contract.pk]), follow=True)

    # then
    contract.refresh_from_db()
    assert contract.state == ContractState.OUT_FOR_SIGNATURE
    assert f"Contract {contract} is out for signature" in messages_of(response)[0]
    assert "/portal/contracts/" in response.content.decode()


def test_sales_rep_cannot_countersign_through_the_page(client, sales_rep):
    contract = signed_contract(sales_rep)
    login(client, sales_rep)

    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    response = client.post(reverse("contract_flows:countersign", args=[contract.pk]))

    assert reverse("contract_flows:countersign", args=[contract.pk]) not in detail
    assert response.status_code == 403


def test_finance_countersigns_and_the_contract_activates_once_started(client, sales_rep,
                                                                      finance):
    contract = signed_contract(sales_rep)
    login(client, finance)

    with time_machine.travel("2026-12-02 10:00 +00:00", tick=False):
        response = client.post(reverse("contract_flows:countersign", args=[contract.pk]),
                               follow=True)

    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE and contract.countersigned_by == finance
    assert messages_of(response) == [f"Contract {contract} countersigned and active."]


def test_countersigned_before_its_start_the_contract_waits_then_activates(client, sales_rep,
                                                                          finance):
    contract = signed_contract(sales_rep)
    login(client, finance)

    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False):
        client.post(reverse("contract_flows:countersign", args=[contract.pk]))
        early = client.post(reverse("contract_flows:activate", args=[contract.pk]), follow=True)
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    assert messages_of(early) == [
        f"Contract {contract} countersigned; it activates on its start date, 2026-12-01.",
        "This contract starts on 2026-12-01; it can be activated from then."]

    with time_machine.travel("2026-12-01 10:00 +00:00", tick=False):
        client.post(reverse("contract_flows:activate", args=[contract.pk]))
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE


def _detail_queries(client, contract) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("contracts:detail", args=[contract.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_detail_page_query_count_does_not_grow_with_lines(client, sales_rep):
    small = draft_contract(sales_rep, seat_lines=0)  # onboarding only: one line
    big = draft_contract(sales_rep, seat_lines=19)  # twenty lines
    assert (small.lines.count(), big.lines.count()) == (1, 20)
    login(client, sales_rep)
    _detail_queries(client, small)  # warm the session and permission caches

    assert _detail_queries(client, small) == _detail_queries(client, big)


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("contracts:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_contracts(client, sales_rep):
    draft_contract(sales_rep)
    login(client, sales_rep)
    _list_queries(client)  # warm the session and permission caches
    one = _list_queries(client)

    draft_contract(sales_rep)
    draft_contract(sales_rep)

    assert _list_queries(client) == one


def billed_through(contract, day, by, capture):
    """Run the invoice run on `day`: every row due by then is billed (an invoice holds it)."""
    from billing.services.runs import create_invoice_run

    with capture(execute=True):
        create_invoice_run(by=by, as_of=day)


def test_the_terminate_form_previews_the_credit_before_it_is_confirmed(
        client, sales_rep, finance, django_capture_on_commit_callbacks):
    # given 5 seats at $127.50 a month, billed through March
    contract = active_contract(sales_rep, by=finance)
    billed_through(contract, date(2027, 3, 1), finance, django_capture_on_commit_callbacks)
    login(client, finance)
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    preview_url = reverse("contracts:termination_preview", args=[contract.pk])

    # when finance picks 15 March as the first day without service
    preview = client.get(preview_url, {"effective_on": "2027-03-15"}, HTTP_HX_REQUEST="true")

    # then the form asks for the preview, which shows the credit rows and where they go
    assert f'hx-get="{preview_url}"' in page
    body = preview.content.decode()
    assert "17 days not served" in body and "−$69.92" in body.replace("-$", "−$")
    assert "Credit: $69.92" in body and "credited on the next invoice" in body
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE  # nothing written


def test_a_preview_of_an_unbilled_period_shows_the_shorter_charge(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    login(client, finance)

    body = client.get(reverse("contracts:termination_preview", args=[contract.pk]),
                      {"effective_on": "2027-03-15"}).content.decode()

    assert SHORTER_MARCH.search(body) and "Credit: $0.00" in body


def test_a_bad_preview_date_says_why(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    login(client, finance)

    body = client.get(reverse("contracts:termination_preview", args=[contract.pk]),
                      {"effective_on": "2030-01-01"}).content.decode()

    assert "on or before the end" in body


def test_only_who_may_terminate_sees_the_preview(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    login(client, sales_rep)

    response = client.get(reverse("contracts:termination_preview", args=[contract.pk]),
                          {"effective_on": "2027-03-15"})

    assert response.status_code == 403
