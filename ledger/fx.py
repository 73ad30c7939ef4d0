"""Conversion to the functional currency; pure, no ORM.

A rate is the number of functional-currency units for one unit of the document's currency, valid
from its date until the next one. The converted amount is rounded once, to the functional
currency, half away from zero (core.money's default).
"""

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.money import round_money

ONE = Decimal(1)


class MissingRate(LookupError):
    pass


def convert(amount: Decimal, rate: Decimal, functional_currency: str) -> Decimal:
    return round_money(Decimal(amount) * rate, functional_currency)


def missing_rate_message(currency: str, on: date) -> str:
    return (f"No exchange rate for {currency} on or before {on.isoformat()}; "
            "add or import one on the Exchange rates page.")


@dataclass(frozen=True)
class RateBook:
    """Rates of several currencies held in memory, so a bulk run converts without a query per
    document. Build it with `ledger.services.rate_book` (one query)."""

    functional_currency: str
    rates: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, functional_currency: str,
                  rows: Iterable[tuple[str, date, Decimal]]) -> "RateBook":
        rates: dict[str, list[tuple[date, Decimal]]] = {}
        for currency, valid_on, rate in rows:
            rates.setdefault(currency, []).append((valid_on, rate))
        return cls(functional_currency, {c: sorted(r) for c, r in rates.items()})

    def rate_on(self, currency: str, on: date) -> Decimal:
        currency = currency.upper()
        if currency == self.functional_currency:
            return ONE
        history = self.rates.get(currency, [])
        index = bisect.bisect_right(history, on, key=lambda row: row[0])
        if index == 0:
            raise MissingRate(missing_rate_message(currency, on))
        return history[index - 1][1]

    def to_functional(self, amount: Decimal, currency: str, on: date) -> tuple[Decimal, Decimal]:
        rate = self.rate_on(currency, on)
        return convert(amount, rate, self.functional_currency), rate
