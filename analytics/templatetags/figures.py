from django import template
from django.utils.safestring import mark_safe

from core.templatetags.money import money

register = template.Library()


@register.filter
def figure(value, unit_and_currency: str):
    """A figure shown in its unit: "money:USD", "percent", "hours", "days" or "count"."""
    if value is None:
        return "—"
    unit, _, currency = unit_and_currency.partition(":")
    if unit == "money":
        return money(value, currency)
    suffix = {"percent": " %", "hours": " h", "days": " days"}.get(unit, "")
    return f"{value}{suffix}"


@register.simple_tag
def chart(svg: str):
    """SVG built by analytics.charts, which escapes every text it draws."""
    return mark_safe(svg)  # noqa: S308
