"""Money in the customer's language, for what payments writes to customers (dunning and
statement emails); pure, no ORM.

English reads as every page does (core.formatting: "€1,234.56"); German and French as CLDR
writes them for the language ("1.234,56 €", "1 234,56 €"), so a German customer reads the
amount as their invoice's reader would. Rounded to the currency's minor units first
(core.money), never by the formatter.

>>> customer_money("1234.5", "EUR", "de")
'1.234,50\\xa0€'
>>> customer_money("1234.5", "EUR", "en")
'€1,234.50'
"""

from decimal import Decimal

from babel.numbers import format_currency

from core.formatting import format_money
from core.money import minor_units, round_money

LOCALES = {"de": "de_DE", "fr": "fr_FR"}  # the document languages written otherwise than English


def customer_money(amount, currency: str, language: str) -> str:
    """`amount` rounded to `currency`, written with its symbol as `language` writes money."""
    locale = LOCALES.get((language or "en")[:2].lower())
    if locale is None:
        return format_money(amount, currency)
    value = round_money(Decimal(amount), currency)
    places = minor_units(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "") + "\u00a0¤"
    return format_currency(value, currency.upper(), format=pattern, locale=locale,
                           currency_digits=False)
