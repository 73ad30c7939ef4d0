"""The customer's link: read, accept or decline, and every way a link cannot be used."""

from datetime import date

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from core.actors import ActorKind
from core.templatetags.money import money
from core.transitions import history_for
from quotes.models import Quote, QuoteState
from quotes.services.sending import LINK_SALT, quote_link_token, send_quote
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/140"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False):
        yield


@pytest.fixture
def quote(sales_rep, other_rep):
    approved_quote(owner=other_rep)  # noise
    return send_quote(quote=approved_quote(owner=sales_rep), by=sales_rep)


@pytest.fixture
def token(quote):
    return quote_link_token(quote)


def url(name, token):
    return reverse(f"portal:{name}", args=[token])


def accept(client, token, **fields):
    data = {"name": "Ada Buyer", "title": "CFO", "consent": "on", **fields}
    return client.post(url("quote_accept", token), data, REMOTE_ADDR="203.0.113.9",
                       HTTP_USER_AGENT=BROWSER)


@pytest.mark.real_pdf
def test_the_link_shows_the_quote_and_embeds_the_stored_pdf_without_login(client, quote, token):
    page = client.get(url("quote", token))
    pdf = client.get(url("quote_pdf", token))

    assert page.status_code == 200
    body = page.content.decode()
    assert f"Quote {quote.number}" in body
    assert money(quote.total_contract_value, "USD") in body
    assert url("quote_pdf", token) in body and 'name="consent"' in body
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(quote.sent_pdf)
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"


def test_accepting_records_signer_title_ip_agent_and_the_pdf_hash(client, quote, token):
    # when
    response = accept(client, token)

    # then
    assert response.status_code == 200
    assert "Thank you, Ada Buyer" in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == QuoteState.ACCEPTED
    assert (quote.signer_name, quote.signer_title) == ("Ada Buyer", "CFO")
    assert (quote.signer_ip, quote.signer_user_agent) == ("203.0.113.9", BROWSER)
    assert quote.signed_pdf_sha256 == quote.sent_pdf_sha256 != ""
    assert quote.decided_at is not None
    entry = list(history_for(quote))[-1]
    assert (entry.transition, entry.actor_kind, entry.actor_name, entry.actor_ip) == (
        "accept", ActorKind.CUSTOMER, "Ada Buyer", "203.0.113.9")
    assert quote.sent_pdf_sha256 in entry.note


def test_the_timeline_shows_the_customer(client, quote, token, sales_rep):
    accept(client, token)
    from django.template import Context, Template

    html = Template("{% load timeline %}{% timeline quote %}").render(Context({"quote": quote}))

    assert "by Ada Buyer" in html and "(customer, 203.0.113.9)" in html


@pytest.mark.parametrize("missing, message", [
    ("name", "This field is required."),
    ("title", "This field is required."),
    ("consent", "Tick the box to confirm you accept this quote."),
])
def test_accepting_needs_name_title_and_consent(client, quote, token, missing, message):
    response = accept(client, token, **{missing: ""})

    assert response.status_code == 400
    assert message in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT


def test_declining_records_the_reason(client, quote, token):
    response = client.post(url("quote_decline", token), {"reason": "Budget moved to 2027."})

    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.state == QuoteState.DECLINED
    assert quote.decline_reason == "Budget moved to 2027."
    entry = list(history_for(quote))[-1]
    assert (entry.actor_kind, entry.actor_name, entry.note) == (
        ActorKind.CUSTOMER, "Ada Buyer", "Budget moved to 2027.")


def test_declining_needs_a_reason(client, quote, token):
    response = client.post(url("quote_decline", token), {"reason": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def problem_of(response):
    return response.status_code, response.content.decode()


def test_a_tampered_link_gets_a_clear_page(client, token):
    status, body = problem_of(client.get(url("quote", token[:-2] + "xy")))

    assert status == 400
    assert "This link is not valid" in body


def test_a_signature_made_for_another_purpose_is_refused(client, quote):
    signed_elsewhere = signing.dumps({"q": quote.pk, "v": 1, "h": quote.sent_pdf_sha256[:32],
                                      "e": "2026-12-31"}, salt="another-purpose", compress=True)

    assert client.get(url("quote", signed_elsewhere)).status_code == 400


def test_an_expired_link_gets_a_clear_page(client, token):
    with time_machine.travel("2027-01-01 09:00 +00:00", tick=False):
        status, body = problem_of(client.get(url("quote", token)))
        accepted = accept(client, token)

    assert status == 410
    assert "This quote has expired" in body and "31 December 2026" in body
    assert accepted.status_code == 410


def test_the_link_works_through_the_last_day(client, quote, token):
    with time_machine.travel("2026-12-31 23:00 +00:00", tick=False):
        response = client.get(url("quote", token))

    assert response.status_code == 200
    body = response.content.decode()
    assert f"Quote {quote.number}" in body and 'name="consent"' in body
    assert "This quote has expired" not in body


def test_a_superseded_version_gets_a_clear_page(client, quote, token, sales_rep):
    from core.transitions import run_transition

    run_transition(Quote.objects.get(pk=quote.pk), "supersede", by=sales_rep)

    status, body = problem_of(client.get(url("quote", token)))

    assert status == 410
    assert "There is a newer version of this quote" in body


def test_a_link_bound_to_another_pdf_is_superseded(client, quote):
    stale = signing.dumps({"q": quote.pk, "v": 1, "h": "0" * 32, "e": "2026-12-31"},
                          salt=LINK_SALT, compress=True)

    assert client.get(url("quote", stale)).status_code == 410


def test_a_used_link_cannot_be_used_again_and_shows_where_the_deal_stands(client, quote,
                                                                          token):
    accept(client, token)

    again = accept(client, token, name="Mallory")
    page = client.get(url("quote", token))
    pdf = client.get(url("quote_pdf", token))

    assert again.status_code == pdf.status_code == 410
    assert "This quote was already accepted on 23 November 2026" in again.content.decode()
    # opening the link again is not an error: the customer sees the deal's steps since
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thank you, Ada Buyer" in html and 'data-status="done"><strong>Quote accepted' in html
    quote.refresh_from_db()
    assert quote.signer_name == "Ada Buyer"


def test_the_forwarded_address_counts_only_behind_our_proxy(client, quote, token, settings):
    settings.BEHIND_PROXY = True

    client.post(url("quote_accept", token), {"name": "Ada", "title": "CFO", "consent": "on"},
                REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44")

    quote.refresh_from_db()
    assert quote.signer_ip == "192.0.2.44"


def test_a_forwarded_header_is_ignored_without_a_proxy(client, quote, token):
    client.post(url("quote_accept", token), {"name": "Ada", "title": "CFO", "consent": "on"},
                REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")

    quote.refresh_from_db()
    assert quote.signer_ip == "203.0.113.9"


def test_only_a_customer_answers_a_quote(quote, sales_rep):
    from django.core.exceptions import PermissionDenied

    from quotes.services.sending import accept_quote, decline_quote

    with pytest.raises(PermissionDenied, match="Only the customer answers a quote"):
        accept_quote(quote=quote, by=sales_rep, title="CFO", consent=True)
    with pytest.raises(PermissionDenied):
        decline_quote(quote=quote, by=sales_rep, reason="No")


def test_the_accept_service_refuses_a_quote_past_its_expiry(quote):
    from django.core.exceptions import ValidationError

    from core.actors import Actor
    from quotes.services.sending import accept_quote

    with pytest.raises(ValidationError, match="expired on 2026-12-31"):
        accept_quote(quote=quote, by=Actor.customer(name="Ada", ip=None), title="CFO",
                     consent=True, on=date(2027, 1, 1))


def test_the_accept_flow_refuses_a_tampered_token_without_changing_anything(quote, token):
    from q2c.flows import accept_quote_flow
    from quotes.services.sending import LinkProblem

    with pytest.raises(LinkProblem) as problem:
        accept_quote_flow(token=token + "x", signer_name="Ada", signer_title="CFO",
                          consent=True, ip="203.0.113.9", user_agent=BROWSER)

    assert problem.value.status == 400
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT


def test_the_accepted_quote_links_to_the_contract_it_became(client, quote, token, sales_rep):
    # given the customer accepted the quote (the flow made its contract)
    accept(client, token)
    from contracts.models import Contract

    contract = Contract.objects.get(quote=quote)

    # when its owner opens the quote
    client.force_login(sales_rep)
    page = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()

    # then the page names the contract and links to it
    link = reverse("contracts:detail", args=[contract.pk])
    assert f'<a href="{link}" data-testid="contract-link">{contract.number}</a>' in page


def test_a_quote_not_yet_accepted_names_no_contract(client, quote, sales_rep):
    client.force_login(sales_rep)

    page = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()

    assert 'data-testid="contract-link"' not in page
