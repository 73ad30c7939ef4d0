"""The rep sets the moment service starts on the quote's header (issue 17: prices counted by
the second charge their first period from it). The form reads the date and time typed as the
account's wall clock, whatever the company's time zone; the service refuses a moment on another
day than the start date there, and the form shows it at the field."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from quotes.models import Quote
from tests.quotes.factories import account_for, draft_quote

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def _header(quote: Quote, **changes) -> dict:
    data = {"contact": quote.contact_id or "", "start_on": quote.start_on.isoformat(),
            "starts_at": "", "term_months": quote.term_months,
            "expires_on": quote.expires_on.isoformat(), "price_book": quote.price_book_id,
            "payment_terms": quote.payment_terms_id, "customer_notes": "", "internal_notes": ""}
    return data | changes


def _post(client, quote, **changes):
    with time_machine.travel(quote.start_on, tick=False):
        return client.post(reverse("quotes:edit", args=[quote.pk]), _header(quote, **changes))


@override_settings(TIME_ZONE="UTC")
def test_the_start_moment_is_read_in_the_accounts_time_zone(client, sales_rep):
    # given: an account in Tokyo (UTC+9), the company in UTC
    quote = draft_quote(sales_rep, account=account_for(sales_rep, time_zone="Asia/Tokyo"))
    client.force_login(sales_rep)

    # when: 18:00 on the start day, as the account's clock reads it
    response = _post(client, quote, starts_at="2026-01-01T18:00")

    # then: 09:00 UTC, and the header shows it back as typed
    assert response.status_code == 302, response.content.decode()[:2000]
    quote.refresh_from_db()
    assert quote.starts_at == datetime(2026, 1, 1, 9, tzinfo=UTC)
    with time_machine.travel(quote.start_on, tick=False):
        page = client.get(reverse("quotes:edit", args=[quote.pk])).content.decode()
    assert 'value="2026-01-01T18:00"' in page


def test_a_moment_on_another_day_is_refused_at_its_field(client, sales_rep):
    # given
    quote = draft_quote(sales_rep, account=account_for(sales_rep, time_zone="Asia/Tokyo"))
    client.force_login(sales_rep)

    # when
    response = _post(client, quote, starts_at="2026-01-02T03:00")

    # then: the service's words, on the field; nothing saved
    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_at": [
        "02 January 2026 03:00 in Asia/Tokyo is not on the start day, 01 January 2026."]}
    quote.refresh_from_db()
    assert quote.starts_at is None


def test_a_new_quote_takes_its_start_moment(client, sales_rep):
    # given
    account = account_for(sales_rep)
    client.force_login(sales_rep)

    # when
    with time_machine.travel("2026-01-01", tick=False):
        response = client.post(reverse("quotes:create"), {
            "account": account.pk, "start_on": "2026-01-05", "starts_at": "2026-01-05T13:30",
            "term_months": 12})

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    quote = Quote.objects.get(account=account)
    assert quote.starts_at == datetime(2026, 1, 5, 13, 30, tzinfo=UTC)


def test_clearing_the_moment_starts_service_at_the_days_start(client, sales_rep):
    quote = draft_quote(sales_rep, starts_at=datetime(2026, 1, 1, 9, tzinfo=UTC))
    client.force_login(sales_rep)

    response = _post(client, quote)

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.starts_at is None
