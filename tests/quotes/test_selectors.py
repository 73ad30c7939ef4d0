"""Who sees which quote, and whose approvals queue holds what; other teams' quotes are noise."""

import pytest

from quotes import services
from quotes.selectors import approvals_queue, quotes_visible_to
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def quotes(catalog, sales_rep, teammate_rep, sales_manager, other_rep, other_manager):
    line = [("ONBOARDING", 1, "0")]
    return {
        "rep": draft_quote(sales_rep, lines=line),
        "teammate": draft_quote(teammate_rep, lines=line),
        "manager": draft_quote(sales_manager, lines=line),
        "other_rep": draft_quote(other_rep, lines=line),
        "other_manager": draft_quote(other_manager, lines=line),
    }


@pytest.mark.parametrize("who, sees", [
    ("sales_rep", {"rep"}),
    ("teammate_rep", {"teammate"}),
    ("sales_manager", {"rep", "teammate", "manager"}),
    ("other_manager", {"other_rep", "other_manager"}),
    ("finance", {"rep", "teammate", "manager", "other_rep", "other_manager"}),
    ("accountant", {"rep", "teammate", "manager", "other_rep", "other_manager"}),
    ("catalog_admin", set()),
])
def test_visibility_matrix(request, quotes, finance, accountant, catalog_admin, who, sees):
    user = request.getfixturevalue(who)
    names = {name for name, quote in quotes.items()
             if quotes_visible_to(user).filter(pk=quote.pk).exists()}
    assert names == sees


def test_anonymous_sees_nothing(quotes, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not quotes_visible_to(AnonymousUser()).exists()


def test_the_queue_holds_the_current_level_for_the_users_group(
        catalog, sales_rep, other_rep, sales_manager, finance):
    big = [("SEAT-USER", 1000, "25")]
    mine = draft_quote(sales_rep, lines=big, term_months=24)
    theirs = draft_quote(other_rep, lines=big, term_months=24)
    for quote in (mine, theirs):
        services.submit_for_approval(quote=quote, by=quote.owner)
    # level 1 (Finance) first: finance sees both, the manager nothing yet
    assert {r.quote_id for r in approvals_queue(finance)} == {mine.pk, theirs.pk}
    assert not approvals_queue(sales_manager).exists()
    services.approve(quote=mine, by=finance)
    services.approve(quote=theirs, by=finance)
    # level 2 (Sales Manager): only the team's quote, never another team's
    assert [r.quote_id for r in approvals_queue(sales_manager)] == [mine.pk]
    assert not approvals_queue(finance).exists()
    assert not approvals_queue(sales_rep).exists()


def test_the_queue_leaves_out_ones_own_quotes(catalog, sales_manager, finance):
    quote = draft_quote(sales_manager, lines=[("SEAT-USER", 1000, "25")], term_months=24)
    services.submit_for_approval(quote=quote, by=sales_manager)
    services.approve(quote=quote, by=finance)
    assert not approvals_queue(sales_manager).exists()
