import datetime as dt

import pytest

from core.actors import Actor
from tests.ledger.factories import CustomerAccountFactory

MARCH = dt.date(2026, 3, 15)


@pytest.fixture
def poster(finance):
    """Finance posts entries (holds ledger.post_entries, but no period transitions)."""
    return finance


@pytest.fixture
def customer(db):
    return CustomerAccountFactory(currency="EUR", name="Müller GmbH")


@pytest.fixture
def other_customer(db):
    """Noise: another customer's receivables must never show in the first one's balance."""
    return CustomerAccountFactory(currency="GBP", name="Other Ltd")


@pytest.fixture
def system_actor(db):
    return Actor.task("ledger-tests")
