"""Quotes over the API: built, priced, submitted and sent through the quote services."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import Coupon, PriceBook
from core.models import TransitionLog
from notifications.selectors import deliveries_of
from quotes import services
from quotes.models import Quote, QuoteState
from tests.api.conftest import errors_of
from tests.catalog.factories import PriceBookFactory, tiered_entry
from tests.contracts.factories import active_contract
from tests.contracts.test_amendments import accept as accept_by_link
from tests.quotes.factories import START, account_for, draft_quote
from tests.quotes.test_pdf import pdf_text

pytestmark = pytest.mark.django_db


def _new_quote(account, **extra):
    return {"account": account.pk, "contact": account.contacts.first().pk,
            "start_on": str(START), "term_months": 12, "expires_on": "2026-12-31",
            "lines": [{"product": "SEAT-USER", "quantity": "10"},
                      {"product": "ONBOARDING", "quantity": "1"}], **extra}


def test_a_rep_creates_a_quote_with_lines_priced_from_the_book(client_for, catalog, sales_rep):
    # given
    account = account_for(sales_rep)
    # when
    response = client_for(sales_rep).post_json("/api/v1/quotes/",
                                               _new_quote(account, external_id="opp-9"))
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    quote = Quote.objects.get(pk=body["id"])
    assert (quote.owner, quote.state, quote.lines.count()) == (sales_rep, QuoteState.DRAFT, 2)
    assert body["external_id"] == "opp-9"
    assert [line["sku"] for line in body["lines"]] == ["SEAT-USER", "ONBOARDING"]
    assert Decimal(body["total_contract_value"]) == quote.total_contract_value == sum(
        Decimal(line["net_amount"]) for line in body["lines"])
    assert Decimal(body["total_contract_value"]) == Decimal("8240")  # 10 × 324 + 5000


def test_a_bad_line_refuses_the_whole_quote_and_names_the_field(client_for, catalog, sales_rep):
    account = account_for(sales_rep)
    response = client_for(sales_rep).post_json("/api/v1/quotes/", _new_quote(
        account, lines=[{"product": "SEAT-USER", "quantity": "0"}]))
    assert response.status_code == 400
    assert errors_of(response) == {"lines.quantity": ["The quantity must be greater than "
                                                      "zero."]}
    assert not Quote.objects.exists()


def test_an_unknown_sku_is_a_field_error_of_its_line(client_for, catalog, sales_rep):
    account = account_for(sales_rep)
    response = client_for(sales_rep).post_json("/api/v1/quotes/", _new_quote(
        account, lines=[{"product": "NO-SUCH-SKU"}]))
    assert response.status_code == 400
    assert errors_of(response)["lines"]["0"]["product"] == [
        "Object with sku=NO-SUCH-SKU does not exist."]


def test_a_quote_for_another_reps_account_is_refused_by_the_service(client_for, catalog,
                                                                    sales_rep, other_rep):
    foreign = account_for(other_rep)
    response = client_for(sales_rep).post_json("/api/v1/quotes/", _new_quote(foreign))
    assert response.status_code == 400
    assert errors_of(response) == {"account": ["You cannot quote for this account."]}


@pytest.mark.parametrize("role", ["finance", "accountant", "catalog_admin"])
def test_roles_that_do_not_sell_cannot_create_quotes(client_for, catalog, sales_rep,
                                                     role_users, role):
    account = account_for(sales_rep)
    response = client_for(role_users[role]).post_json("/api/v1/quotes/", _new_quote(account))
    assert response.status_code == 403
    assert not Quote.objects.exists()


@pytest.mark.real_pdf
def test_submit_without_a_rule_hit_approves_and_send_keeps_the_pdf_and_mails_it(
        client_for, catalog, sales_rep, django_capture_on_commit_callbacks):
    # given a draft without discount (no approval rule applies)
    client = client_for(sales_rep)
    quote_id = client.post_json("/api/v1/quotes/", _new_quote(account_for(sales_rep))).json()[
        "id"]
    # when
    submitted = client.post_json(f"/api/v1/quotes/{quote_id}/submit/")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post_json(f"/api/v1/quotes/{quote_id}/send/")
    # then
    assert submitted.json()["state"] == "approved"
    assert sent.status_code == 200, sent.json()
    assert sent.json()["state"] == "sent"
    quote = Quote.objects.get(pk=quote_id)
    assert bytes(quote.sent_pdf).startswith(b"%PDF")
    assert len(mail.outbox) == 1
    assert [log.transition for log in TransitionLog.objects.filter(
        object_id=quote_id, content_type__model="quote").order_by("pk")] == ["submit", "send"]


def test_a_discount_above_the_rule_goes_to_approval_and_cannot_be_sent(client_for, catalog,
                                                                       sales_rep):
    client = client_for(sales_rep)
    body = _new_quote(account_for(sales_rep), lines=[
        {"product": "SEAT-USER", "quantity": "10", "discount_percent": "40"}])
    quote_id = client.post_json("/api/v1/quotes/", body).json()["id"]
    assert client.post_json(f"/api/v1/quotes/{quote_id}/submit/").json()["state"] == (
        "pending_approval")
    refused = client.post_json(f"/api/v1/quotes/{quote_id}/send/")
    assert refused.status_code == 400
    assert "Only an approved quote can be sent" in refused.json()["detail"]


def _amendment_to_eight_seats(client, contract):
    """Through the API: start an amendment from 15 March 2027 and take the seats to 8."""
    amendment = client.post_json(f"/api/v1/contracts/{contract.pk}/amendments/",
                                 {"effective_on": "2027-03-15"}).json()
    quote = client.get(f"/api/v1/quotes/{amendment['quote']}/").json()
    [seats] = [line for line in quote["lines"] if line["sku"] == "SEAT-USER"]
    changed = client.patch(f"/api/v1/quotes/{quote['id']}/lines/{seats['id']}/",
                           {"quantity": "8"}, format="json")
    assert changed.status_code == 200, changed.json()
    return quote["id"]


def _sent_facts(quote_id):
    """What sending left: the state, the kept document's text, the history, the emails."""
    quote = Quote.objects.get(pk=quote_id)
    text = pdf_text(bytes(quote.sent_pdf)) if quote.sent_pdf else ""
    history = [(log.transition, log.source, log.target) for log in
               TransitionLog.objects.filter(object_id=quote_id, content_type__model="quote")
               .order_by("pk")]
    queued = [delivery.body for delivery in deliveries_of(quote)]
    return quote.state, text, history, queued


@pytest.mark.real_pdf
@pytest.mark.parametrize("channel", ["api", "page"])
def test_an_amendment_quote_is_sent_by_the_same_flow_as_the_page(
        client_for, client, sales_rep, finance, channel, django_capture_on_commit_callbacks):
    # given an amendment quote made, changed and approved through the API
    api = client_for(sales_rep)
    contract = active_contract(sales_rep, by=finance)
    quote_id = _amendment_to_eight_seats(api, contract)
    assert api.post_json(f"/api/v1/quotes/{quote_id}/submit/").json()["state"] == "approved"

    # when it is sent through the API or from its page
    with django_capture_on_commit_callbacks(execute=True):
        if channel == "api":
            answer = api.post_json(f"/api/v1/quotes/{quote_id}/send/")
            assert answer.status_code == 200, answer.json()
        else:
            client.force_login(sales_rep)
            client.post(reverse("quote_flows:send", args=[quote_id]))

    # then the same document, history and queued email, whichever way it went
    state, text, history, queued = _sent_facts(quote_id)
    assert state == QuoteState.SENT
    # the amendment document (what changes, what it costs), not a restated quote
    assert f"Amendment to contract {contract.number}" in text
    assert "Total contract value" not in text
    assert history[-1] == ("send", "approved", "sent")
    [body] = queued
    assert "http://testserver/portal/quotes/" in body
    [email] = [m for m in mail.outbox if Quote.objects.get(pk=quote_id).number in m.subject]
    assert email.to == ["buyer@acme.example"]


def test_an_amendment_made_through_the_api_changes_the_stored_schedule(
        client_for, sales_rep, finance):
    # given an amendment taking 5 seats to 8 from 15 March, sent through the API
    api = client_for(sales_rep)
    contract = active_contract(sales_rep, by=finance)
    quote_id = _amendment_to_eight_seats(api, contract)
    api.post_json(f"/api/v1/quotes/{quote_id}/submit/")
    api.post_json(f"/api/v1/quotes/{quote_id}/send/")

    # when the customer accepts it through their link
    accept_by_link(Quote.objects.get(pk=quote_id))

    # then the schedule in force holds the amendment's rows
    rows = api.get(f"/api/v1/contracts/{contract.pk}/charges/?limit=200").json()["results"]
    added = [row for row in rows if row["change_kind"] == "amendment"]
    assert added and {row["due_on"] for row in added if row["kind"] != "credit"} >= {
        "2027-03-15"}
    amendments = api.get(f"/api/v1/contracts/{contract.pk}/amendments/").json()
    assert amendments[0]["applied_on"] is not None


def test_a_line_of_a_submitted_quote_is_neither_changed_nor_removed(client_for, catalog,
                                                                    sales_rep):
    client = client_for(sales_rep)
    quote = client.post_json("/api/v1/quotes/", _new_quote(account_for(sales_rep))).json()
    line = quote["lines"][0]["id"]
    url = f"/api/v1/quotes/{quote['id']}/lines/{line}/"
    assert client.patch(url, {"quantity": "0"}, format="json").status_code == 400
    assert client.delete(f"/api/v1/quotes/{quote['id']}/lines/999999/").status_code == 404
    removed = client.delete(url)
    assert removed.status_code == 200 and len(removed.json()["lines"]) == 1
    client.post_json(f"/api/v1/quotes/{quote['id']}/submit/")
    refused = client.patch(f"/api/v1/quotes/{quote['id']}/lines/"
                           f"{removed.json()['lines'][0]['id']}/", {"quantity": "3"},
                           format="json")
    assert refused.status_code == 400


def test_lines_are_added_to_a_draft_and_refused_once_submitted(client_for, catalog, sales_rep):
    client = client_for(sales_rep)
    quote_id = client.post_json("/api/v1/quotes/", _new_quote(account_for(sales_rep))).json()[
        "id"]
    added = client.post_json(f"/api/v1/quotes/{quote_id}/lines/",
                             {"lines": [{"product": "SEAT-USER", "quantity": "2"}]})
    assert added.status_code == 200 and len(added.json()["lines"]) == 3
    client.post_json(f"/api/v1/quotes/{quote_id}/submit/")
    refused = client.post_json(f"/api/v1/quotes/{quote_id}/lines/",
                               {"lines": [{"product": "SEAT-USER"}]})
    assert refused.status_code == 400
    assert list(errors_of(refused)) == ["state"]


def test_price_reprices_from_the_frozen_snapshot_not_the_live_book(client_for, catalog,
                                                                   sales_rep):
    client = client_for(sales_rep)
    body = client.post_json("/api/v1/quotes/", _new_quote(account_for(sales_rep))).json()
    book = PriceBook.objects.get(pk=body["price_book"])
    book.entries.filter(product__sku="SEAT-USER").update(unit_amount=Decimal("999"))
    repriced = client.post_json(f"/api/v1/quotes/{body['id']}/price/")
    assert repriced.json()["total_contract_value"] == body["total_contract_value"]


def test_a_manager_cannot_send_a_quote_of_another_team(client_for, catalog, sales_rep,
                                                      other_manager):
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 1, "0")])
    response = client_for(other_manager).post_json(f"/api/v1/quotes/{quote.pk}/send/")
    assert response.status_code == 404


def test_the_quote_list_costs_the_same_queries_for_one_or_many_lines(
        client_for, catalog, sales_rep, django_assert_num_queries):
    client = client_for(sales_rep)
    draft_quote(sales_rep, lines=[("SEAT-USER", 1, "0")])
    client.get("/api/v1/quotes/")
    with django_assert_num_queries(6):  # key, its user's permissions (2), quotes, lines, coupons
        client.get("/api/v1/quotes/")
    for _ in range(5):
        draft_quote(sales_rep, lines=[("SEAT-USER", 1, "0")] * 10)
    with django_assert_num_queries(6):
        quotes = client.get("/api/v1/quotes/").json()["results"]
    assert len(quotes) == 6 and sum(len(q["lines"]) for q in quotes) == 51


def test_products_and_price_books_are_read_by_who_may_see_them(client_for, catalog, sales_rep,
                                                               role_users):
    products = client_for(sales_rep).get("/api/v1/products/?limit=200").json()["results"]
    assert "SEAT-USER" in {p["sku"] for p in products}
    books = client_for(sales_rep).get("/api/v1/price-books/").json()["results"]
    seat = next(e for b in books if b["currency"] == "USD" for e in b["entries"]
                if e["sku"] == "SEAT-USER")
    assert Decimal(seat["unit_amount"]) > 0


def test_price_books_cost_the_same_queries_whatever_their_entries(
        client_for, catalog, finance, django_assert_num_queries):
    client = client_for(finance)
    client.get("/api/v1/price-books/")
    with django_assert_num_queries(6):  # key, permissions (2), books, entries, tiers
        before = client.get("/api/v1/price-books/").json()["results"]
    tiered_entry(price_book=PriceBookFactory(currency="EUR"))
    with django_assert_num_queries(6):
        after = client.get("/api/v1/price-books/").json()["results"]
    assert len(after) == len(before) + 1
    assert sum(len(e["tiers"]) for b in after for e in b["entries"]) == 2 + sum(
        len(e["tiers"]) for b in before for e in b["entries"])


@pytest.mark.parametrize(("role", "expected"), [
    ("finance", 403), ("accountant", 403), ("catalog_admin", 404), ("other_rep", 404)])
def test_only_the_quotes_seller_changes_its_lines(client_for, catalog, sales_rep, role_users,
                                                  other_rep, role, expected):
    quote = client_for(sales_rep).post_json("/api/v1/quotes/",
                                            _new_quote(account_for(sales_rep))).json()
    url = f"/api/v1/quotes/{quote['id']}/lines/{quote['lines'][0]['id']}/"
    client = client_for(other_rep if role == "other_rep" else role_users[role])
    assert client.patch(url, {"quantity": "3"}, format="json").status_code == expected
    assert client.delete(url).status_code == expected
    assert Quote.objects.get(pk=quote["id"]).lines.count() == 2


def test_a_quote_reads_its_coupons_and_what_they_take_off(client_for, catalog, sales_rep):
    # Stripe's quote object lists its discounts and total_details.amount_discount: here a
    # forever 50% coupon on 10 seats at $27 a month takes $1,620.00 off over 12 months
    Coupon.objects.create(code="HALF", name="Half off", percent_off=Decimal(50),
                          duration="forever")
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0")])
    services.apply_coupon(quote=quote, code="HALF", by=sales_rep)

    body = client_for(sales_rep).get(f"/api/v1/quotes/{quote.pk}/").json()

    assert [(c["code"], c["name"], Decimal(c["discount_amount"])) for c in body["coupons"]] == [
        ("HALF", "Half off", Decimal("1620.00"))]
    assert (Decimal(body["coupon_total"]), Decimal(body["total_contract_value"])) == (
        Decimal("1620.00"), Decimal("1620.00"))


def test_a_quote_takes_its_start_moment_and_a_moment_on_another_day_is_named(
        client_for, catalog, sales_rep):
    # given: an account in Tokyo; the quote starts on 1 January 2026
    account = account_for(sales_rep, time_zone="Asia/Tokyo")
    client = client_for(sales_rep)

    # when: 18:00 in Tokyo on the start day, then 03:00 on the next day
    made = client.post_json("/api/v1/quotes/",
                            _new_quote(account, starts_at="2026-01-01T18:00:00+09:00"))
    refused = client.post_json("/api/v1/quotes/",
                               _new_quote(account, starts_at="2026-01-02T03:00:00+09:00"))

    # then
    assert made.status_code == 201, made.json()
    assert made.json()["starts_at"].replace("Z", "+00:00") == "2026-01-01T09:00:00+00:00"
    assert refused.status_code == 400
    assert errors_of(refused) == {"starts_at": [
        "02 January 2026 03:00 in Asia/Tokyo is not on the start day, 01 January 2026."]}
