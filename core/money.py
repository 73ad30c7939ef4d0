"""Minor units, rounding and exact allocation of money; pure, no ORM.

Everything that rounds or splits money calls this module, so that each currency rounds to its own
minor unit in one place and every split adds up exactly to its whole.
"""

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import get_currency_symbol
from moneyed import CurrencyDoesNotExist, get_currency


class UnknownCurrency(ValueError):
    """A code that is not an ISO 4217 currency: refused, never assumed to have two places."""


@cache
def minor_units(currency: str) -> int:
    """Number of decimal places of the currency's smallest unit (USD 2, JPY 0, KWD 3), from ISO
    4217 as py-moneyed carries it."""
    try:
        sub_unit = get_currency(code=currency.upper()).sub_unit
    except CurrencyDoesNotExist:
        raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code.") from None
    return len(str(sub_unit)) - 1


@cache
def currency_symbol(currency: str) -> str:
    """The symbol English readers know the currency by ("$", "€", "CA$", as CLDR writes them);
    "" for a currency known only by its code (CHF, KWD)."""
    code = currency.upper()
    minor_units(code)  # refuses an unknown code
    symbol = get_currency_symbol(code, locale="en_US")
    return "" if symbol in (code, "¤") else symbol


@cache  # bulk paths round millions of amounts in a handful of currencies
def quantum(currency: str) -> Decimal:
    """The currency's smallest unit as a Decimal exponent: Decimal('0.01') for USD."""
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal | int | str, currency: str,
                rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to the currency's minor unit (half away from zero unless told otherwise)."""
    return Decimal(amount).quantize(quantum(currency), rounding=rounding)


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount already rounded to the currency, as an integer count of minor units."""
    rounded = round_money(amount, currency)
    if rounded != Decimal(amount):
        raise ValueError(f"{amount} is not rounded to {currency}'s minor unit")
    return int(rounded.scaleb(minor_units(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_units(currency)).quantize(quantum(currency))


def allocate(total: Decimal, weights: Sequence[Decimal | int], currency: str) -> list[Decimal]:
    """Split `total` in proportion to `weights` so that the parts sum exactly to the total.

    Works in integer minor units by largest remainder: every part gets the floor of its exact
    share, then the units left over go one each to the largest remainders, ties to the earlier
    part. A negative total is split as the mirror of its positive. All-zero weights split evenly.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("weights must not be negative")
    units = to_minor(round_money(total, currency), currency)
    if units < 0:
        return [-part for part in allocate(-round_money(total, currency), weights, currency)]
    weights = [Decimal(w) for w in weights]
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))

    exact = [Decimal(units) * w / weight_sum for w in weights]
    floors = [int(share.to_integral_value(rounding=ROUND_FLOOR)) for share in exact]
    left = units - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [from_minor(part, currency) for part in floors]
