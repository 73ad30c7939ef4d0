"""`{{ amount|money:"EUR" }}` and `{{ money_object|money }}`: one way to show money, by currency."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from core.money import minor_units, round_money

register = template.Library()

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


@register.filter
def money(value, currency=None):
    if value is None or value == "":
        return "—"
    if hasattr(value, "currency") and hasattr(value, "amount"):
        currency, value = str(value.currency), value.amount
    currency = (currency or "").upper()
    amount = round_money(Decimal(value), currency) if currency else Decimal(value)
    text = number_format(abs(amount), decimal_pos=minor_units(currency) if currency else None,
                         use_l10n=False, force_grouping=True)
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}".strip()
