"""Numbers as people read them, in pages, documents, emails and history notes; pure, no ORM.

Money shows its currency's minor units (JPY 0, USD 2, KWD 3) and symbol; a quantity shows plain
digits with neither exponent nor trailing zeros (a Decimal's own `str` of 60 stored with four
places normalized is "6E+1").
"""

from decimal import Decimal

from core.money import currency_symbol, minor_units, round_money


def format_money(amount, currency: str = "") -> str:
    """"$1,234.50", "-€3.00", "1,234.568 KWD": rounded to the currency, grouped, its symbol."""
    if hasattr(amount, "currency") and hasattr(amount, "amount"):
        currency, amount = str(amount.currency), amount.amount
    currency = (currency or "").upper()
    value = round_money(Decimal(amount), currency) if currency else Decimal(amount)
    places = minor_units(currency) if currency else max(0, -value.as_tuple().exponent)
    return _with_symbol(value, places, currency)


def format_rate(amount, currency: str) -> str:
    """"$0.0008", "$0.25", "¥3": a price per unit with the places it has, at least the
    currency's; never rounded to the currency, as a rate is not an amount owed."""
    currency = currency.upper()
    value = Decimal(amount)
    places = max(minor_units(currency), -value.normalize().as_tuple().exponent)
    return _with_symbol(value, places, currency)


def _with_symbol(value: Decimal, places: int, currency: str) -> str:
    text = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 else ""
    symbol = currency_symbol(currency) if currency else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}".strip()


def plain_quantity(value) -> str:
    """"60", "2.5", "2500000": the digits a form field or a note takes (no exponent, no
    trailing zeros, no grouping)."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_quantity(value) -> str:
    """"60", "2.5", "2,500,000": a quantity for reading, grouped."""
    whole, _, fraction = plain_quantity(value).partition(".")
    grouped = f"{int(whole):,}" if whole not in ("-0",) else whole
    return f"{grouped}.{fraction}" if fraction else grouped
