"""Numbers as people read them, in pages, documents, emails and history notes; pure, no ORM.

Money shows its currency's minor units (JPY 0, USD 2, KWD 3) and symbol; a quantity shows plain
digits with neither exponent nor trailing zeros (a Decimal's own `str` of 60 stored with four
places normalized is "6E+1"). English reads as every page does; a document or email in German or
French writes numbers as CLDR writes them for the language (through babel), so a German customer
reads "1.234,50 €" as their own accounts would. Rounded to the currency first, never by the
formatter.

>>> format_money("1234.5", "EUR"), format_money("1234.5", "EUR", "de")
('€1,234.50', '1.234,50\xa0€')
>>> format_money("-1234.5", "EUR", "fr"), format_quantity("2500000.5", "de")
('-1\u202f234,50\xa0€', '2.500.000,5')
"""

from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from core.money import currency_symbol, minor_units, round_money

# The languages whose documents write numbers otherwise than English, and their CLDR locale.
LOCALES = {"de": "de_DE", "fr": "fr_FR"}


def _locale(language: str | None) -> str | None:
    return LOCALES.get((language or "en")[:2].lower())


def format_money(amount, currency: str = "", language: str | None = None) -> str:
    """"$1,234.50", "-€3.00", "1,234.568 KWD": rounded to the currency, grouped, its symbol;
    in `language`'s way where it is not English."""
    if hasattr(amount, "currency") and hasattr(amount, "amount"):
        currency, amount = str(amount.currency), amount.amount
    currency = (currency or "").upper()
    value = round_money(Decimal(amount), currency) if currency else Decimal(amount)
    places = minor_units(currency) if currency else max(0, -value.as_tuple().exponent)
    locale = _locale(language)
    if locale and currency:
        pattern = "#,##0" + ("." + "0" * places if places else "") + "\u00a0¤"
        return format_currency(value, currency, format=pattern, locale=locale,
                               currency_digits=False)
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


def format_quantity(value, language: str | None = None) -> str:
    """"60", "2.5", "2,500,000": a quantity for reading, grouped (in `language`'s way)."""
    if locale := _locale(language):
        return format_decimal(Decimal(plain_quantity(value)), locale=locale,
                              decimal_quantization=False)
    whole, _, fraction = plain_quantity(value).partition(".")
    grouped = f"{int(whole):,}" if whole not in ("-0",) else whole
    return f"{grouped}.{fraction}" if fraction else grouped
