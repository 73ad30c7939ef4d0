"""Each role's home page shows figures from its own stage, and only what the user may see."""

from datetime import date, timedelta

import pytest

from catalog.models import PriceBook, Product
from q2c import dashboards
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_sales_home_counts_only_the_reps_own_accounts(sales_rep, other_rep):
    AccountFactory.create_batch(2, owner=sales_rep)
    AccountFactory(owner=sales_rep, is_overdue=True)
    AccountFactory.create_batch(3, owner=other_rep)

    figures = dashboards.sales_home(sales_rep)

    assert figures["account_counts"]["total"] == 3
    assert figures["account_counts"]["overdue"] == 1
    assert {a.owner for a in figures["recent_accounts"]} == {sales_rep}


def test_team_home_lists_the_managers_reports_with_their_counts(sales_manager, sales_rep,
                                                                teammate_rep, other_rep):
    AccountFactory.create_batch(2, owner=sales_rep)
    AccountFactory(owner=other_rep)

    team = {m.username: m.account_count for m in dashboards.team_home(sales_manager)["team"]}

    assert team == {"rep_a": 2, "rep_a2": 0}


def test_catalog_home_finds_products_without_prices_and_books_ending_soon(catalog_admin):
    Product.objects.create(sku="LONELY-1", name="Unpriced widget", kind="physical")
    PriceBook.objects.create(name="Promo 2026", currency="USD", effective_from=date(2026, 1, 1),
                             effective_to=date(2026, 12, 15), is_standard=False)
    PriceBook.objects.create(name="Later", currency="USD", effective_from=date(2026, 1, 1),
                             effective_to=date(2027, 6, 30), is_standard=False)

    figures = dashboards.catalog_home(catalog_admin, on=date(2026, 11, 23))

    assert [p.sku for p in figures["unpriced_products"]] == ["LONELY-1"]
    assert [b.name for b in figures["ending_books"]] == ["Promo 2026"]


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "finance", "accountant",
                                  "catalog_admin"])
def test_home_page_query_count_does_not_grow_with_data(role, role_users, client,
                                                       django_assert_max_num_queries):
    user = role_users[role]
    client.force_login(user)
    client.get("/")
    AccountFactory.create_batch(15, owner=role_users["sales_rep"],
                                overdue_since=date.today() - timedelta(days=5), is_overdue=True)

    with django_assert_max_num_queries(20):
        response = client.get("/")

    assert response.status_code == 200
