"""A quote is never born expired (ux review 2026-12, gap 14)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from quotes import services
from tests.quotes.factories import account_for, draft_quote

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def test_a_quote_cannot_be_created_already_expired(catalog, sales_rep):
    with pytest.raises(ValidationError) as caught:
        services.create_quote(by=sales_rep, account=account_for(sales_rep), start_on=TODAY,
                              expires_on=TODAY - timedelta(days=1), on=TODAY)

    assert caught.value.message_dict["expires_on"] == [
        "The quote would be born expired: its expiry 2026-11-22 is before today (2026-11-23)."]


def test_a_drafts_expiry_cannot_be_moved_into_the_past(catalog, sales_rep):
    quote = draft_quote(sales_rep)
    with pytest.raises(ValidationError) as caught:
        services.update_quote(quote=quote, by=sales_rep, expires_on=date(2026, 1, 1))
    assert "is before today" in caught.value.message_dict["expires_on"][0]


def test_an_expiry_from_today_on_is_fine(catalog, sales_rep):
    quote = services.create_quote(by=sales_rep, account=account_for(sales_rep), on=TODAY,
                                  expires_on=TODAY)
    assert quote.expires_on == TODAY
