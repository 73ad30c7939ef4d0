"""Text with NUL characters, which PostgreSQL can neither store nor compare, is refused by the
API as a problem before any query sees it: in a JSON body or an Idempotency-Key (schemathesis
found quotes and quote lines answering 500 to them; Django refuses one in the path or the
query string itself)."""

import pytest

from tests.api.conftest import errors_of
from tests.quotes.factories import account_for, draft_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(sales_rep, catalog):
    return draft_quote(sales_rep, account=account_for(sales_rep), lines=[("SEAT-USER", 2, "0")])


def test_a_nul_in_a_body_is_refused_before_the_serializer(client_for, sales_rep, quote):
    response = client_for(sales_rep).post_json(f"/api/v1/quotes/{quote.pk}/lines/",
                                               {"lines": [{"product": "SEAT\x00USER"}]})
    assert response.status_code == 400
    assert response.json()["detail"] == "Text must not contain NUL characters (\\u0000)."
    assert quote.lines.count() == 1


def test_an_escaped_backslash_before_u0000_is_plain_text(client_for, sales_rep, quote):
    response = client_for(sales_rep).post_json(f"/api/v1/quotes/{quote.pk}/lines/",
                                               {"lines": [{"product": "\\u0000"}]})
    assert response.status_code == 400
    assert list(errors_of(response)) == ["lines"]  # an unknown SKU, named as such


def test_a_nul_in_an_idempotency_key_is_refused(client_for, finance):
    response = client_for(finance).post_json("/api/v1/payments/", {}, key="k\x00")
    assert response.status_code == 400
    assert list(errors_of(response)) == ["Idempotency-Key"]
