"""The functional currency cannot change once entries exist (code review 2026-12 §6: "no guard
against FUNCTIONAL_CURRENCY being changed once entries exist")."""

import pytest
from django.test import override_settings

from ledger import services
from ledger.checks import functional_currency_unchanged, record_functional_currency
from ledger.models import Books
from tests.ledger.factories import balanced

pytestmark = pytest.mark.django_db


def test_the_books_follow_the_setting_until_the_first_entry(finance):
    with override_settings(FUNCTIONAL_CURRENCY="EUR"):
        record_functional_currency()
        assert Books.objects.get().functional_currency == "EUR"
        assert functional_currency_unchanged(databases=["default"]) == []
    record_functional_currency()
    assert Books.objects.get().functional_currency == "USD"

    services.post_entries([balanced("10.00")], by=finance)

    with override_settings(FUNCTIONAL_CURRENCY="EUR"):
        record_functional_currency()  # a migrate after the change keeps what the books hold
        (error,) = functional_currency_unchanged(databases=["default"])
    assert error.id == "ledger.E001" and "kept in USD" in error.msg
    assert Books.objects.get().functional_currency == "USD"
    assert functional_currency_unchanged(databases=["default"]) == []
