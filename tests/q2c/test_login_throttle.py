"""Sign-in is throttled (red team 2026-12, finding 15): after a few wrong passwords for a user
(or many from one address) sign-in is refused for a while, with the reason, even with the right
password; the admin's sign-in page is held to the same rule."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from q2c.login import FAILURES_PER_ADDRESS, FAILURES_PER_USER, LOCK_MINUTES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, sales_rep):
    for _ in range(FAILURES_PER_USER):
        assert _sign_in(client, sales_rep.username, "wrong").status_code == 200

    response = _sign_in(client, sales_rep.username, PASSWORD)

    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert f"try again in {LOCK_MINUTES} minutes" in response.content.decode()


def test_sign_in_works_again_once_the_lock_has_passed(client, sales_rep):
    for _ in range(FAILURES_PER_USER):
        _sign_in(client, sales_rep.username, "wrong")

    with time_machine.travel(timezone.now() + timedelta(minutes=LOCK_MINUTES + 1)):
        response = _sign_in(client, sales_rep.username, PASSWORD)

    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_success_before_the_limit_starts_the_count_again(client, sales_rep):
    for _ in range(FAILURES_PER_USER - 1):
        _sign_in(client, sales_rep.username, "wrong")
    assert _sign_in(client, sales_rep.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(FAILURES_PER_USER - 1):
        _sign_in(client, sales_rep.username, "wrong")
    assert _sign_in(client, sales_rep.username, PASSWORD).status_code == 302


def test_one_address_trying_many_users_is_throttled(client, sales_rep):
    for n in range(FAILURES_PER_ADDRESS):
        _sign_in(client, f"guess{n}", "wrong")
    response = _sign_in(client, sales_rep.username, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_admin_sign_in_is_throttled_too(client, finance):
    url = reverse("admin:login")
    for _ in range(FAILURES_PER_USER):
        _sign_in(client, finance.username, "wrong", url)
    response = _sign_in(client, finance.username, PASSWORD, url)
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.content.decode()
