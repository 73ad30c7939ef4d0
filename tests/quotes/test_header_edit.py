"""The header page edits the quote it shows (issue 22 item 5: the quote is read once)."""

import pytest
import time_machine
from django.urls import reverse

from quotes.models import Quote
from tests.quotes.factories import draft_quote

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def _header(quote: Quote, **changes) -> dict:
    data = {"contact": quote.contact_id, "start_on": quote.start_on.isoformat(),
            "term_months": quote.term_months, "expires_on": quote.expires_on.isoformat(),
            "price_book": quote.price_book_id, "payment_terms": quote.payment_terms_id,
            "customer_notes": "", "internal_notes": ""}
    return {name: "" if value is None else value for name, value in (data | changes).items()}


def test_the_owner_saves_the_header(client, sales_rep):
    quote = draft_quote(sales_rep)
    client.force_login(sales_rep)

    with time_machine.travel(quote.start_on, tick=False):
        page = client.get(reverse("quotes:edit", args=[quote.pk]))
        response = client.post(reverse("quotes:edit", args=[quote.pk]),
                               _header(quote, term_months=24, customer_notes="Two years"))

    assert page.status_code == 200 and f"Edit {quote}" in page.content.decode()
    assert response.status_code == 302, response.content.decode()[:2000]
    quote.refresh_from_db()
    assert (quote.term_months, quote.customer_notes) == (24, "Two years")


def test_a_refused_header_shows_the_quote_as_stored(client, sales_rep):
    quote = draft_quote(sales_rep)
    client.force_login(sales_rep)

    with time_machine.travel(quote.start_on, tick=False):
        response = client.post(reverse("quotes:edit", args=[quote.pk]),
                               _header(quote, term_months=0))

    assert response.status_code == 200
    assert f"Edit {quote}" in response.content.decode()
    quote.refresh_from_db()
    assert quote.term_months == 12
