"""API clients that act as the shared role users (tests/conftest.py) through real API keys."""

import pytest
from rest_framework.test import APIClient

from core.api_keys import issue_api_key


class KeyClient(APIClient):
    """A client that sends a user's API key on every request."""

    def __init__(self, user, scopes=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.issued = issue_api_key(user=user, name=f"tests {user.username}", by=user,
                                    scopes=scopes)
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.issued.token}")

    def post_json(self, path, data=None, *, key=None, **extra):
        if key is not None:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        return self.post(path, data or {}, format="json", **extra)


@pytest.fixture
def client_for(db):
    """client_for(user, scopes=None): a client holding a fresh API key of that user."""
    return KeyClient


def errors_of(response) -> dict:
    """The field errors of a problem-details answer."""
    body = response.json()
    assert body["status"] == response.status_code, body
    return body.get("errors", {})


@pytest.fixture
def catalog(db):
    """The demo catalog: products, options and rules, books in four currencies, tax rates."""
    from catalog.demo import seed_catalog

    return seed_catalog()
