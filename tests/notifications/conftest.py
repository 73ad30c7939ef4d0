import pytest

from catalog.demo import seed_catalog


@pytest.fixture
def catalog(db):
    """The demo catalog: products, options and rules, books in four currencies, tax rates."""
    return seed_catalog()
