"""Who sees which contracts: the quotes' team rule, with another team's contracts as noise."""

import pytest

from contracts.selectors import contracts_visible_to
from core.actors import system_user
from tests.contracts.factories import draft_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contracts(sales_rep, teammate_rep, other_rep):
    return {"mine": draft_contract(sales_rep), "teammate": draft_contract(teammate_rep),
            "other_team": draft_contract(other_rep)}


def visible(user):
    return set(contracts_visible_to(user).values_list("number", flat=True))


def numbers(contracts, *keys):
    return {contracts[key].number for key in keys}


def test_a_rep_sees_only_their_own_contracts(contracts, sales_rep):
    assert visible(sales_rep) == numbers(contracts, "mine")


def test_a_manager_sees_their_team_but_not_the_other_team(contracts, sales_manager,
                                                          other_manager):
    assert visible(sales_manager) == numbers(contracts, "mine", "teammate")
    assert visible(other_manager) == numbers(contracts, "other_team")


def test_finance_accountants_and_the_system_see_every_contract(contracts, finance, accountant):
    everything = numbers(contracts, "mine", "teammate", "other_team")
    assert visible(finance) == visible(accountant) == visible(system_user()) == everything


def test_catalog_admins_see_no_contracts(contracts, catalog_admin):
    assert visible(catalog_admin) == set()
