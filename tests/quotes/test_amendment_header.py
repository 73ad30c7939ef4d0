"""An amendment quote's start and term are its amendment's (issue 17). The amendment applies at
its own effective date and time, its lines are the contract's lines in force then and it runs
to the contract's end, so the rep cannot move the quote's start date, start moment or term: the
service refuses a change at the field, and the header form shows them read-only with the same
words. Starting another amendment from the contract is how a rep changes the date."""

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts import services as contract_services
from quotes import services
from tests.contracts.factories import ON, active_contract
from tests.quotes.test_start_moment import _header

pytestmark = pytest.mark.django_db

FIXED = ("An amendment quote starts when its amendment takes effect (16 March 2027 at 12:00 "
         "UTC) and runs to the contract's end; start another amendment from the contract to "
         "change that.")


def _amendment_quote(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    return contract_services.start_amendment(contract=contract, by=sales_rep,
                                             effective_on=date(2027, 3, 16),
                                             effective_time=time(12), on=ON).quote


def test_the_service_refuses_to_move_an_amendment_quotes_start_or_term(sales_rep, finance):
    # given
    quote = _amendment_quote(sales_rep, finance)
    start_on, starts_at, term = quote.start_on, quote.starts_at, quote.term_months

    # when
    with pytest.raises(ValidationError) as error:
        services.update_quote(quote=quote, by=sales_rep, start_on=date(2027, 4, 1),
                              starts_at=None, term_months=12)

    # then: each field named, nothing saved
    assert error.value.message_dict == {"start_on": [FIXED], "starts_at": [FIXED],
                                        "term_months": [FIXED]}
    quote.refresh_from_db()
    assert (quote.start_on, quote.starts_at, quote.term_months) == (start_on, starts_at, term)
    # the same values, and the other header fields, still save
    services.update_quote(quote=quote, by=sales_rep, start_on=start_on, starts_at=starts_at,
                          term_months=term, customer_notes="Ten seats from noon")
    quote.refresh_from_db()
    assert quote.customer_notes == "Ten seats from noon"


def test_the_header_form_shows_them_read_only_and_names_a_change_at_the_field(
        client, sales_rep, finance):
    # given
    quote = _amendment_quote(sales_rep, finance)
    client.force_login(sales_rep)
    url = reverse("quotes:edit", args=[quote.pk])

    # when
    with time_machine.travel(ON, tick=False):
        page = client.get(url).content.decode()
        moved = client.post(url, _header(quote, starts_at="2027-03-16T12:00",
                                         start_on="2027-04-01"))
        kept = client.post(url, _header(quote, starts_at="2027-03-16T12:00",
                                        internal_notes="Checked"))

    # then
    for name in ("start_on", "starts_at", "term_months"):
        tag = page[page.index(f'name="{name}"'):]
        assert "readonly" in tag[:tag.index(">")], name
    assert moved.status_code == 200
    assert moved.context["form"].errors == {"start_on": [FIXED]}
    assert kept.status_code == 302, kept.content.decode()[:2000]
