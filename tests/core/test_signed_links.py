"""Tokens signed in bulk (`link_tokens`) are Django's own signatures, only cheaper to make."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import signing

from core.signed_links import link_token, link_tokens, read_link


@pytest.mark.parametrize("fields", [{"i": 1, "n": "INV-2026-000001"}, {"i": 987654, "n": ""}])
def test_a_token_signed_in_bulk_is_the_one_signed_alone(fields):
    with time_machine.travel(datetime(2026, 12, 7, 5, 0, tzinfo=UTC), tick=False):
        bulk = link_tokens(salt="payments.pay-link")
        assert bulk(fields) == link_token(fields, salt="payments.pay-link")
        assert bulk(fields) != link_token(fields, salt="another.salt")
    assert read_link(bulk(fields), salt="payments.pay-link", keys=("i", "n")) == (
        fields["i"], fields["n"])


def test_a_token_signed_in_bulk_is_refused_under_another_salt_or_tampered():
    token = link_tokens(salt="payments.pay-link")({"i": 1, "n": "INV-1"})
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="quotes.accept")
    with pytest.raises(signing.BadSignature):
        signing.loads(token[:-1] + ("A" if token[-1] != "A" else "B"), salt="payments.pay-link")
