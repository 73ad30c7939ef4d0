import pytest

from tests.customers.factories import AccountFactory


@pytest.fixture
def book(sales_rep, teammate_rep, sales_manager, other_rep, other_manager):
    """One account per owner across two teams, so every visibility rule has noise around it."""
    return {
        "rep": AccountFactory(owner=sales_rep, name="Acme Rep A"),
        "teammate": AccountFactory(owner=teammate_rep, name="Bolt Teammate A2"),
        "manager": AccountFactory(owner=sales_manager, name="Cog Manager A"),
        "other_rep": AccountFactory(owner=other_rep, name="Dyno Rep B", currency="EUR"),
        "other_manager": AccountFactory(owner=other_manager, name="Echo Manager B"),
    }
