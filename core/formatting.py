"""Numbers as people read them, in pages, documents, emails and history notes; pure, no ORM.

Money shows its currency's minor units (JPY 0, USD 2, KWD 3) and symbol; a quantity shows plain
digits with neither exponent nor trailing zeros (a Decimal's own `str` of 60 stored with four
places normalized is "6E+1").
"""

from decimal import Decimal

from core.money import minor_units, round_money

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


def format_money(amount, currency: str = "") -> str:
    """"$1,234.50", "-€3.00", "1,234.568 KWD": rounded to the currency, grouped, its symbol."""
    if hasattr(amount, "currency") and hasattr(amount, "amount"):
        currency, amount = str(amount.currency), amount.amount
    currency = (currency or "").upper()
    value = round_money(Decimal(amount), currency) if currency else Decimal(amount)
    places = minor_units(currency) if currency else max(0, -value.as_tuple().exponent)
    text = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 else ""
    symbol = SYMBOLS.get(currency)
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
