"""A quote's buttons follow its state machine for the user (issue 22, review 2026-12 "button
flags rebuilt from copied state lists"): django-fsm's available transitions (state, conditions,
permission), per role and state; an approver decides only what is routed to them."""

from dataclasses import asdict

import pytest
from django.urls import reverse

from quotes import services
from quotes.actions import quote_actions
from quotes.models import Quote, QuoteState
from tests.conftest import PASSWORD
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db

SELLER = {"edit", "submit", "revise"}
EXPECTED = {  # state: what a sales rep, a sales manager, finance and an accountant may do
    QuoteState.DRAFT: (SELLER, SELLER, set(), set()),
    QuoteState.PENDING_APPROVAL: ({"revise"}, {"revise"}, set(), set()),
    QuoteState.APPROVED: ({"send", "revise"}, {"send", "revise"}, set(), set()),
    QuoteState.SENT: ({"send_again", "revise"}, {"send_again", "revise"}, set(), set()),
    QuoteState.ACCEPTED: (set(), set(), set(), set()),
    QuoteState.DECLINED: (set(), set(), set(), set()),
    QuoteState.EXPIRED: (set(), set(), set(), set()),
    QuoteState.SUPERSEDED: (set(), set(), set(), set()),
}
ROLES = ("sales_rep", "sales_manager", "finance", "accountant")


def offered(actions) -> set[str]:
    return {name for name, allowed in asdict(actions).items() if allowed}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_each_role_is_offered_what_the_state_machine_allows(role_users, state):
    quote = Quote(pk=0, state=state)  # never saved: the actions read its state alone

    offers = tuple(offered(quote_actions(quote, role_users[role])) for role in ROLES)

    assert dict(zip(ROLES, offers, strict=True)) == dict(zip(ROLES, EXPECTED[state],
                                                             strict=True))


def test_an_approver_decides_only_the_level_routed_to_them(catalog, sales_rep, sales_manager,
                                                           finance):
    # a line discount above 20% (Finance, level 1) and a TCV above 250,000 USD (Sales Manager,
    # level 2), from the seeded default rules
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 1000, "25")], term_months=24)
    services.submit_for_approval(quote=quote, by=sales_rep)
    quote.refresh_from_db()

    assert (quote_actions(quote, finance).decide,
            quote_actions(quote, sales_manager).decide) == (True, False)
    services.approve(quote=quote, by=finance, comment="")
    quote.refresh_from_db()
    assert (quote_actions(quote, finance).decide,
            quote_actions(quote, sales_manager).decide) == (False, True)


def test_the_detail_page_shows_the_buttons_of_the_actions(client, catalog, sales_rep, finance):
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "25")])
    services.submit_for_approval(quote=quote, by=sales_rep)

    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    client.login(username=sales_rep.username, password=PASSWORD)
    own_page = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()

    approve = reverse("quotes:approve", args=[quote.pk])
    revise = reverse("quotes:revise", args=[quote.pk])
    assert (approve in page, revise in page) == (True, False)
    assert (approve in own_page, revise in own_page) == (False, True)
