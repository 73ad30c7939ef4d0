"""The order pages: who may open them, the actions as POST forms with messages, and list and
detail pages whose query counts do not grow with their rows."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import OrderState
from tests.conftest import PASSWORD
from tests.orders.factories import order_for

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def held(sales_rep, finance):
    return order_for(sales_rep, finance=finance, overdue=True)


@pytest.fixture
def approved(sales_rep, finance):
    return order_for(sales_rep, finance=finance, seat_lines=2)


# URL × role ----------------------------------------------------------------------------------

PAGES = {  # url name: status per role (anonymous is always sent to the login page)
    "orders:list": {"catalog_admin": 403, "sales_rep": 200, "sales_manager": 200,
                    "finance": 200, "accountant": 200},
    "orders:credit_holds": {"catalog_admin": 403, "sales_rep": 403, "sales_manager": 403,
                            "finance": 200, "accountant": 403},
    "orders:detail": {"catalog_admin": 403, "sales_rep": 200, "sales_manager": 200,
                      "finance": 200, "accountant": 200},
}
ACTIONS = {  # POST url name: status per role without a valid form (403 or the redirect back)
    "orders:release": {"sales_rep": 403, "sales_manager": 403, "accountant": 403,
                       "catalog_admin": 403, "finance": 302},
    "orders:cancel": {"sales_rep": 403, "sales_manager": 403, "accountant": 403,
                      "catalog_admin": 403, "finance": 302},
    "orders:fulfil": {"sales_rep": 403, "sales_manager": 403, "accountant": 403,
                      "catalog_admin": 403, "finance": 302},
    "orders:close": {"sales_rep": 403, "sales_manager": 403, "accountant": 403,
                     "catalog_admin": 403, "finance": 302},
}
ROLES = ["anonymous", "catalog_admin", "sales_rep", "sales_manager", "finance", "accountant"]


def _args(name, order):
    return [] if name in {"orders:list", "orders:credit_holds"} else [order.pk]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_pages_by_role(client, role_users, held, name, role):
    if role != "anonymous":
        login(client, role_users[role])
    response = client.get(reverse(name, args=_args(name, held)))
    assert response.status_code == (302 if role == "anonymous" else PAGES[name][role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ACTIONS)
def test_actions_by_role(client, role_users, held, name, role):
    if role != "anonymous":
        login(client, role_users[role])
    response = client.post(reverse(name, args=[held.pk]))
    assert response.status_code == (302 if role == "anonymous" else ACTIONS[name][role])
    held.refresh_from_db()
    assert held.state == OrderState.ON_CREDIT_HOLD


def test_actions_refuse_get(client, finance, held):
    login(client, finance)
    assert client.get(reverse("orders:release", args=[held.pk])).status_code == 405


def test_another_teams_order_is_not_found(client, sales_rep, other_rep, finance):
    order = order_for(other_rep, finance=finance)
    login(client, sales_rep)
    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 404


# List and queue -------------------------------------------------------------------------------

def test_the_list_filters_by_state_account_and_search(client, sales_rep, finance, held,
                                                      approved):
    login(client, finance)
    body = client.get(reverse("orders:list"), {"state": "on_credit_hold"}).content.decode()
    assert held.number in body and approved.number not in body
    body = client.get(reverse("orders:list"), {"account": approved.account_id}).content.decode()
    assert approved.number in body and held.number not in body
    body = client.get(reverse("orders:list"), {"q": approved.number}).content.decode()
    assert approved.number in body and held.number not in body
    body = client.get(reverse("orders:list"), {"q": "nothing-like-it"}).content.decode()
    assert "No orders match." in body


def test_reps_list_only_their_accounts_orders(client, sales_rep, other_rep, finance, held):
    others = order_for(other_rep, finance=finance)
    login(client, sales_rep)
    body = client.get(reverse("orders:list")).content.decode()
    assert held.number in body and others.number not in body


def test_the_list_paginates(client, finance, sales_rep, monkeypatch):
    monkeypatch.setattr("orders.views.PAGE_SIZE", 1)
    first, second = order_for(sales_rep, finance=finance), order_for(sales_rep, finance=finance)
    login(client, finance)
    page_one = client.get(reverse("orders:list")).content.decode()
    page_two = client.get(reverse("orders:list"), {"page": 2}).content.decode()
    assert second.number in page_one and first.number not in page_one
    assert first.number in page_two and "Page 2 of 2" in page_two


def test_the_queue_shows_the_reason_and_releases_back_to_the_queue(client, finance, held,
                                                                   approved):
    login(client, finance)
    queue = reverse("orders:credit_holds")
    body = client.get(queue).content.decode()
    assert held.number in body and approved.number not in body
    assert "The account is flagged overdue since 2026-11-23." in body

    response = client.post(reverse("orders:release", args=[held.pk]),
                           {"note": "Cleared with the CFO", "next": queue}, follow=True)

    assert response.redirect_chain[-1][0] == queue
    assert messages_of(response) == [
        f"Order {held} released from credit hold: it can be fulfilled."]
    held.refresh_from_db()
    assert held.state == OrderState.APPROVED
    assert "No order is on credit hold." in response.content.decode()


def test_the_queue_releases_and_cancels_in_place_with_htmx(client, finance, held,
                                                         teammate_rep):
    # given: two held orders in the queue
    other = order_for(teammate_rep, finance=finance, limit="1.00")
    login(client, finance)
    body = client.get(reverse("orders:credit_holds")).content.decode()
    assert f'hx-target="#hold-{held.pk}"' in body and f'id="hold-{other.pk}"' in body

    # when: finance releases one and cancels the other from the queue
    released = client.post(reverse("orders:release", args=[held.pk]), {"note": "Paid"},
                           HTTP_HX_REQUEST="true")
    cancelled = client.post(reverse("orders:cancel", args=[other.pk]), {"note": ""},
                            HTTP_HX_REQUEST="true")

    # then: each card becomes its outcome; nothing waits as a message for the next page
    assert released.status_code == 200 and f'id="hold-{held.pk}"' in released.content.decode()
    assert "released from credit hold" in released.content.decode()
    assert "Write a note saying why." in cancelled.content.decode()
    assert "<html" not in released.content.decode()
    held.refresh_from_db()
    other.refresh_from_db()
    assert (held.state, other.state) == (OrderState.APPROVED, OrderState.ON_CREDIT_HOLD)
    assert messages_of(client.get(reverse("orders:credit_holds"))) == []


def test_release_without_a_note_says_why(client, finance, held):
    login(client, finance)
    response = client.post(reverse("orders:release", args=[held.pk]), follow=True)
    assert messages_of(response) == ["Write a note saying why."]
    held.refresh_from_db()
    assert held.state == OrderState.ON_CREDIT_HOLD


def test_release_does_not_follow_a_foreign_next(client, finance, held):
    login(client, finance)
    response = client.post(reverse("orders:release", args=[held.pk]),
                           {"note": "ok", "next": "https://evil.example/"})
    assert response.url == reverse("orders:detail", args=[held.pk])


def test_finance_cancels_from_the_detail_page(client, finance, held):
    login(client, finance)
    response = client.post(reverse("orders:cancel", args=[held.pk]), {"note": "Fraud"},
                           follow=True)
    held.refresh_from_db()
    assert held.state == OrderState.CANCELLED
    assert messages_of(response) == [f"Order {held} cancelled."]


# Detail: next actions and fulfilment ---------------------------------------------------------

def test_the_held_order_page_shows_the_reason_and_finance_actions(client, finance, held):
    login(client, finance)
    body = client.get(reverse("orders:detail", args=[held.pk])).content.decode()
    assert "The account is flagged overdue since 2026-11-23." in body
    assert reverse("orders:release", args=[held.pk]) in body
    assert reverse("orders:fulfil", args=[held.pk]) not in body


def test_a_rep_sees_the_order_without_actions(client, sales_rep, held):
    login(client, sales_rep)
    body = client.get(reverse("orders:detail", args=[held.pk])).content.decode()
    assert held.number in body
    for name in ["orders:release", "orders:cancel", "orders:fulfil", "orders:close"]:
        assert reverse(name, args=[held.pk]) not in body


def test_finance_fulfils_part_through_the_form_then_closes(client, finance, approved):
    # given
    first, second, onboarding = approved.lines.order_by("position")
    login(client, finance)
    detail = reverse("orders:detail", args=[approved.pk])
    assert reverse("orders:fulfil", args=[approved.pk]) in client.get(detail).content.decode()

    # when: the first seats line whole and one of the second on the 20th
    response = client.post(reverse("orders:fulfil", args=[approved.pk]), {
        "on": "2026-11-20", f"line_{first.pk}": "5", f"line_{second.pk}": "1",
        f"line_{onboarding.pk}": ""}, follow=True)

    # then
    assert messages_of(response) == [f"Order {approved} is partially fulfilled."]
    first.refresh_from_db()
    assert first.fulfilled_on == date(2026, 11, 20)

    # when: the rest, then close
    client.post(reverse("orders:fulfil", args=[approved.pk]), {
        "on": "2026-11-23", f"line_{second.pk}": "5", f"line_{onboarding.pk}": "1"})
    approved.refresh_from_db()
    assert approved.state == OrderState.FULFILLED
    assert reverse("orders:close", args=[approved.pk]) in client.get(detail).content.decode()
    response = client.post(reverse("orders:close", args=[approved.pk]), follow=True)
    approved.refresh_from_db()
    assert approved.state == OrderState.CLOSED
    assert messages_of(response) == [f"Order {approved} closed."]


def test_fulfilling_a_held_order_says_why(client, finance, held):
    login(client, finance)
    response = client.post(reverse("orders:fulfil", args=[held.pk]), {"on": "2026-11-20"},
                           follow=True)
    assert messages_of(response) == [
        f"Only an approved order can be fulfilled; {held} is on credit hold."]


def test_too_much_comes_back_on_the_form(client, finance, approved):
    first = approved.lines.order_by("position").first()
    login(client, finance)
    response = client.post(reverse("orders:fulfil", args=[approved.pk]),
                           {"on": "2026-11-20", f"line_{first.pk}": "50"})
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 5" in response.content.decode()


def test_a_future_date_comes_back_on_the_form(client, finance, approved):
    first = approved.lines.order_by("position").first()
    login(client, finance)
    response = client.post(reverse("orders:fulfil", args=[approved.pk]),
                           {"on": "2026-12-20", f"line_{first.pk}": "1"})
    assert response.status_code == 400
    assert "A fulfilment date cannot be in the future." in response.content.decode()
    approved.refresh_from_db()
    assert approved.state == OrderState.APPROVED


# Query counts -----------------------------------------------------------------------------------

def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_detail_queries_do_not_grow_with_lines(client, sales_rep, teammate_rep, finance):
    small = order_for(sales_rep, finance=finance, seat_lines=1)
    large = order_for(teammate_rep, finance=finance, seat_lines=12)
    login(client, finance)
    assert (_queries(client, reverse("orders:detail", args=[small.pk]))
            == _queries(client, reverse("orders:detail", args=[large.pk])))


def test_list_and_queue_queries_do_not_grow_with_orders(client, sales_rep, finance):
    order_for(sales_rep, finance=finance, overdue=True)
    login(client, finance)
    few = (_queries(client, reverse("orders:list")),
           _queries(client, reverse("orders:credit_holds")))
    for _ in range(3):
        order_for(sales_rep, finance=finance, overdue=True)
    many = (_queries(client, reverse("orders:list")),
            _queries(client, reverse("orders:credit_holds")))
    assert few == many
