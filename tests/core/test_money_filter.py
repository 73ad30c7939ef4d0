from decimal import Decimal

import pytest
from djmoney.money import Money

from core.templatetags.money import money


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [(Decimal("1234567.891"), "USD", "$1,234,567.89"), (Decimal("-1250.5"), "EUR", "-€1,250.50"),
     (Decimal("1500000"), "JPY", "¥1,500,000"), (Decimal("60000"), "KWD", "60,000.000 KWD"),
     (None, "USD", "—")],
)
def test_money_filter_formats_by_currency(value, currency, shown):
    assert money(value, currency) == shown


def test_money_filter_reads_the_currency_of_a_money_object():
    assert money(Money(Decimal("99.999"), "GBP")) == "£100.00"
