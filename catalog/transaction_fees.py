"""Fees on transactions: a percentage of each amount plus a fixed fee per transaction, with free
transactions, a free amount per period and a minimum and maximum per transaction; pure, no ORM.

    transaction_fees(percent, terms, amounts, *, free_amount=0) -> list[Decimal]
    period_fee(percent, terms, quantity, transactions, *, free_amount=0) -> Decimal

The model of Lago's percentage charge (and of card processing, 2.9% + 0.30 per charge), taken
in the order the transactions came:
- the free amount is used up by the first transactions: only the part of an amount above what is
  left of it pays the percentage;
- the first `free_transactions` carry no fixed fee;
- a transaction whose fee is above zero pays at least `minimum_fee` and at most `maximum_fee`;
  one that is entirely free stays free.
Fees are exact here; catalog.pricing rounds the period's sum once, as it rounds every price.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class TransactionTerms:
    fixed_fee: Decimal = ZERO
    free_transactions: int = 0
    minimum_fee: Decimal | None = None
    maximum_fee: Decimal | None = None

    @property
    def needs_transactions(self) -> bool:
        """Whether pricing needs each transaction's amount, not only the period's sum."""
        return bool(self.fixed_fee or self.minimum_fee is not None
                    or self.maximum_fee is not None)

    def errors(self) -> list[str]:
        errors = []
        if self.fixed_fee < 0 or self.free_transactions < 0 or \
                min(self.minimum_fee or ZERO, self.maximum_fee or ZERO) < 0:
            errors.append("Transaction fees and free transactions cannot be negative.")
        if self.minimum_fee is not None and self.maximum_fee is not None \
                and self.maximum_fee < self.minimum_fee:
            errors.append("The maximum fee per transaction cannot be below the minimum.")
        return errors

    def to_dict(self) -> dict:
        return {"fixed_fee": _text(self.fixed_fee), "free_transactions": self.free_transactions,
                "minimum_fee": _text(self.minimum_fee), "maximum_fee": _text(self.maximum_fee)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "TransactionTerms":
        return cls(Decimal(data.get("fixed_fee") or "0"), int(data.get("free_transactions", 0)),
                   _decimal(data.get("minimum_fee")), _decimal(data.get("maximum_fee")))


NO_TERMS = TransactionTerms()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def transaction_fees(percent: Decimal, terms: TransactionTerms, amounts: Sequence[Decimal], *,
                     free_amount: Decimal = ZERO) -> list[Decimal]:
    """Each transaction's exact fee, in the order given."""
    if any(amount < 0 for amount in amounts):
        raise ValueError("a transaction amount cannot be negative")
    free_left = free_amount
    fees = []
    for number, amount in enumerate(amounts):
        free_part = min(amount, free_left)
        free_left -= free_part
        fee = (amount - free_part) * percent / HUNDRED
        if number >= terms.free_transactions:
            fee += terms.fixed_fee
        if fee > 0 and terms.minimum_fee is not None:
            fee = max(fee, terms.minimum_fee)
        if terms.maximum_fee is not None:
            fee = min(fee, terms.maximum_fee)
        fees.append(fee)
    return fees


def period_fee(percent: Decimal, terms: TransactionTerms, quantity: Decimal | None,
               transactions: Sequence[Decimal] | None, *, free_amount: Decimal = ZERO) -> Decimal:
    """The period's exact fee, from its transactions or, when the terms need none of them
    (no fixed fee, minimum or maximum), from the period's total amount alone."""
    if transactions is not None:
        return sum(transaction_fees(percent, terms, transactions, free_amount=free_amount), ZERO)
    if terms.needs_transactions:
        raise ValueError("a fixed fee or a minimum or maximum per transaction needs each "
                         "transaction's amount")
    return max(quantity - free_amount, ZERO) * percent / HUNDRED
