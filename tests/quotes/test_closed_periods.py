"""A quote whose start date lies in a closed accounting period is refused at its start date:
created, edited, sent or accepted (red-team finding: quotes dated in a closed period were
accepted silently). The refusal names the month, and nothing is half-saved."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.models import Contract
from ledger.models import AccountingPeriod
from ledger.services import start_close
from quotes import services
from quotes.models import Quote, QuoteState
from quotes.periods import closed_period_error, shut_months
from quotes.services.sending import quote_link_token, send_quote
from tests.ledger.factories import close_month
from tests.quotes.factories import account_for
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
OCTOBER = date(2026, 10, 15)  # a start date in the month the accountant closes
REFUSAL = "October 2026 is closed in the books"


@pytest.fixture
def quote_from_october(sales_rep, other_rep):
    """An approved quote starting 15 October, made while October was open."""
    approved_quote(owner=other_rep, contact_email="noise@other.example")  # noise
    quote = approved_quote(owner=sales_rep)
    Quote.objects.filter(pk=quote.pk).update(start_on=OCTOBER)
    quote.refresh_from_db()
    return quote


def test_only_months_shut_by_the_ledger_count_as_closed(accountant):
    close_month(OCTOBER, by=accountant)
    start_close(AccountingPeriod.objects.create(start_on=date(2026, 11, 1),
                                                end_on=date(2026, 11, 30)), by=accountant)

    shut = shut_months([date(2026, 9, 30), OCTOBER, TODAY, date(2026, 12, 1)])

    # September has no period row but lies before a closed month; December is open.
    assert shut == {date(2026, 9, 1): "closed", date(2026, 10, 1): "closed",
                    date(2026, 11, 1): "being closed"}
    assert closed_period_error(date(2026, 12, 1), what="A start date") is None


def test_a_quote_cannot_be_created_starting_in_a_closed_month(catalog, sales_rep, accountant):
    close_month(OCTOBER, by=accountant)
    account = account_for(sales_rep)

    with pytest.raises(ValidationError) as error:
        services.create_quote(by=sales_rep, account=account, start_on=OCTOBER, on=TODAY)

    assert REFUSAL in error.value.message_dict["start_on"][0]
    assert not Quote.objects.exists()


def test_the_create_page_puts_the_closed_month_on_the_start_date_field(client, catalog,
                                                                       sales_rep, accountant):
    close_month(OCTOBER, by=accountant)
    account = account_for(sales_rep)
    client.force_login(sales_rep)

    response = client.post(reverse("quotes:create"), {
        "account": account.pk, "term_months": 12, "start_on": OCTOBER.isoformat()})

    assert response.status_code == 200
    assert REFUSAL in response.context["form"].errors["start_on"][0]
    assert not Quote.objects.exists()


def test_a_draft_cannot_be_moved_into_a_closed_month(catalog, sales_rep, accountant):
    close_month(OCTOBER, by=accountant)
    quote = services.create_quote(by=sales_rep, account=account_for(sales_rep), on=TODAY)

    with pytest.raises(ValidationError) as error:
        services.update_quote(quote=quote, by=sales_rep, start_on=OCTOBER)

    assert REFUSAL in error.value.message_dict["start_on"][0]
    quote.refresh_from_db()
    assert quote.start_on == TODAY


def test_a_quote_starting_in_a_closed_month_is_not_sent(quote_from_october, sales_rep,
                                                        accountant):
    close_month(OCTOBER, by=accountant)

    with pytest.raises(ValidationError) as error:
        send_quote(quote=quote_from_october, by=sales_rep, on=TODAY)

    assert REFUSAL in error.value.message_dict["start_on"][0]
    quote_from_october.refresh_from_db()
    assert quote_from_october.state == QuoteState.APPROVED and not quote_from_october.sent_pdf


def test_the_send_button_says_why_and_sends_nothing(client, quote_from_october, sales_rep,
                                                    accountant, mailoutbox):
    close_month(OCTOBER, by=accountant)
    client.force_login(sales_rep)

    response = client.post(reverse("quote_flows:send", args=[quote_from_october.pk]))

    assert response.status_code == 302
    assert any(REFUSAL in str(m) for m in get_messages(response.wsgi_request))
    quote_from_october.refresh_from_db()
    assert quote_from_october.state == QuoteState.APPROVED and mailoutbox == []


def test_the_customer_cannot_accept_once_the_start_month_is_closed(client, quote_from_october,
                                                                   sales_rep, accountant):
    # given: sent while October was open, closed before the customer answers
    sent = send_quote(quote=quote_from_october, by=sales_rep, on=TODAY)
    close_month(OCTOBER, by=accountant)

    # when
    response = client.post(reverse("portal:quote_accept", args=[quote_link_token(sent)]),
                           {"name": "Ada Buyer", "title": "CFO", "consent": "on"})

    # then
    assert response.status_code == 400
    assert REFUSAL in " ".join(response.context["accept_form"].non_field_errors())
    sent.refresh_from_db()
    assert sent.state == QuoteState.SENT and not Contract.objects.exists()
