"""Over the API, a quote starting in a month the books have closed is refused by its start date
field (400), created or sent, as on the pages."""

from datetime import date

import pytest

from quotes.models import Quote, QuoteState
from tests.api.conftest import errors_of
from tests.ledger.factories import close_month
from tests.quotes.factories import account_for
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 15)
REFUSAL = "October 2026 is closed in the books"


def test_a_quote_starting_in_a_closed_month_is_not_created(client_for, catalog, sales_rep,
                                                           accountant):
    close_month(OCTOBER, by=accountant)
    account = account_for(sales_rep)

    response = client_for(sales_rep).post_json("/api/v1/quotes/", {
        "account": account.pk, "start_on": OCTOBER.isoformat(), "term_months": 12,
        "lines": [{"product": "SEAT-USER", "quantity": "10"}]})

    assert response.status_code == 400
    assert REFUSAL in errors_of(response)["start_on"][0]
    assert not Quote.objects.exists()


def test_a_quote_whose_start_month_closed_is_not_sent(client_for, sales_rep, accountant):
    quote = approved_quote(owner=sales_rep)
    Quote.objects.filter(pk=quote.pk).update(start_on=OCTOBER)
    close_month(OCTOBER, by=accountant)

    response = client_for(sales_rep).post_json(f"/api/v1/quotes/{quote.pk}/send/")

    assert response.status_code == 400
    assert REFUSAL in errors_of(response)["start_on"][0]
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED and not quote.sent_pdf
