import pytest

from customers.selectors import (
    account_for_detail,
    accounts_visible_to,
    assignable_owners,
    search_accounts,
    team_members,
)
from tests.customers.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

VISIBLE = {
    "sales_rep": {"rep"},
    "teammate_rep": {"teammate"},
    "sales_manager": {"rep", "teammate", "manager"},
    "other_rep": {"other_rep"},
    "other_manager": {"other_rep", "other_manager"},
    "finance": {"rep", "teammate", "manager", "other_rep", "other_manager"},
    "accountant": {"rep", "teammate", "manager", "other_rep", "other_manager"},
    "catalog_admin": set(),
}


@pytest.mark.parametrize(("who", "expected"), VISIBLE.items())
def test_visibility_matrix(request, book, who, expected):
    user = request.getfixturevalue(who)

    visible = set(accounts_visible_to(user).values_list("pk", flat=True))

    assert visible == {book[key].pk for key in expected}


def test_anonymous_sees_nothing(book):
    from django.contrib.auth.models import AnonymousUser

    assert not accounts_visible_to(AnonymousUser()).exists()


def test_account_for_detail_404s_outside_visibility(book, sales_rep):
    from django.http import Http404

    assert account_for_detail(pk=book["rep"].pk, user=sales_rep) == book["rep"]
    with pytest.raises(Http404):
        account_for_detail(pk=book["teammate"].pk, user=sales_rep)


def test_team_members_are_direct_reports_only(sales_manager, sales_rep, teammate_rep, other_rep):
    assert list(team_members(sales_manager)) == [sales_rep, teammate_rep]


def test_assignable_owners_follow_the_team(sales_rep, teammate_rep, sales_manager, other_rep,
                                           finance):
    assert set(assignable_owners(sales_rep)) == {sales_rep}
    assert set(assignable_owners(sales_manager)) == {sales_manager, sales_rep, teammate_rep}
    assert other_rep in set(assignable_owners(finance))
    assert finance not in set(assignable_owners(finance))


def test_search_matches_name_legal_name_tax_id_and_contact_email_once(finance):
    hit_name = AccountFactory(name="Zephyr Labs")
    hit_tax = AccountFactory(name="Other", tax_id="DE-ZEPH-1")
    hit_contact = AccountFactory(name="Quiet")
    ContactFactory(account=hit_contact, email="a@zephyr.example")
    ContactFactory(account=hit_contact, email="b@zephyr.example")
    AccountFactory(name="Noise Inc")

    found = list(search_accounts(accounts_visible_to(finance), "zeph"))

    assert sorted(a.pk for a in found) == sorted([hit_name.pk, hit_tax.pk, hit_contact.pk])
