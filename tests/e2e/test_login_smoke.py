import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "sales_rep": "Open pipeline",
    "sales_manager": "My team",
    "finance": "Finance",
    "accountant": "Books",
    "catalog_admin": "Catalog",
}


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_signs_in_through_the_login_page_and_sees_its_home(role, role_users, login,
                                                                     live_server):
    user = role_users[role]

    page = login(user.username, PASSWORD)

    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").first.inner_text().startswith("Welcome")
    assert page.get_by_role("heading", name=HOME_HEADINGS[role]).count() >= 1
    assert page.locator(".user-menu summary").inner_text().startswith(user.get_full_name())


def test_a_wrong_password_stays_on_the_login_page_with_an_error(sales_rep, login, live_server):
    page = login(sales_rep.username, "wrong")

    assert "/login/" in page.url
    error = page.locator(".form-error").inner_text()
    assert "Please enter a correct username and password" in error


def test_pages_need_a_login(page, live_server):
    page.goto(f"{live_server.url}/customers/")

    assert "/login/" in page.url
