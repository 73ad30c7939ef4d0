"""`{{ amount|money:"EUR" }}`, `{{ money_object|money }}` and `{{ line.quantity|quantity }}`:
one way to show money (by currency) and quantities (no exponent, no trailing zeros), in the
active language's way (a German customer's documents render with German active)."""

from django import template
from django.utils.translation import get_language

from core.formatting import format_money, format_quantity, plain_quantity

__all__ = ["money", "plain_number", "quantity"]

register = template.Library()


@register.filter
def money(value, currency=None):
    if value is None or value == "":
        return "—"
    return format_money(value, currency or "", get_language())


@register.filter
def quantity(value):
    if value is None or value == "":
        return "—"
    return format_quantity(value, get_language())


@register.filter
def plain_number(value):
    """The value of a number input: plain digits, no grouping, no exponent."""
    return "" if value is None or value == "" else plain_quantity(value)
