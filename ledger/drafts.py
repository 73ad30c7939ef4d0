"""What callers hand to `post_entries`: plain frozen drafts, and the checks every draft must pass.

Pure: no ORM. The service looks up what only the database knows (which GL codes and customer
accounts exist) and passes it in, so every refusal is decided here and can be tested alone.
"""

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from core.money import UnknownCurrency, quantum, round_money

ZERO = Decimal("0")
# JournalLine amounts are DecimalField(max_digits=19, decimal_places=4).
MAX_AMOUNT = Decimal(10) ** 15


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, int or str, never a float")
    return value if isinstance(value, Decimal) else Decimal(value)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The source document by content type and id, when the instance itself is not at hand."""

    content_type_id: int
    object_id: int


@dataclass(frozen=True, slots=True)
class LineDraft:
    """One debit or credit in the functional currency. A line that carries a receivable also names
    the customer account and the signed amount in the document's currency with the rate used."""

    gl_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    customer_account_id: int | None = None
    document_currency: str = ""
    document_amount: Decimal | None = None
    rate: Decimal | None = None
    description: str = ""

    def __post_init__(self):
        # a bulk posting's lines come as Decimals already: only others are converted (a
        # recognition run of 100,000 contracts makes 400,000 lines)
        if type(self.debit) is not Decimal:
            object.__setattr__(self, "debit", _decimal(self.debit, "debit"))
        if type(self.credit) is not Decimal:
            object.__setattr__(self, "credit", _decimal(self.credit, "credit"))
        if self.document_amount is not None and type(self.document_amount) is not Decimal:
            object.__setattr__(self, "document_amount",
                               _decimal(self.document_amount, "document_amount"))
        if self.rate is not None and type(self.rate) is not Decimal:
            object.__setattr__(self, "rate", _decimal(self.rate, "rate"))

    @property
    def signed_amount(self) -> Decimal:
        """Debit positive, credit negative."""
        return self.debit - self.credit

    def mirrored(self) -> "LineDraft":
        """The same line on the other side, for a reversing entry."""
        amount = None if self.document_amount is None else -self.document_amount
        return replace(self, debit=self.credit, credit=self.debit, document_amount=amount)


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A journal entry to post. `document_date` None means the business date of the posting;
    `source` is the model instance (or a SourceRef) the entry comes from."""

    document_date: date | None
    memo: str
    lines: Sequence[LineDraft] = field(default_factory=tuple)
    source: object | None = None
    source_label: str = ""

    def __post_init__(self):
        object.__setattr__(self, "lines", tuple(self.lines))

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def _line_errors(line: LineDraft, where: str, currency: str, accounts: Mapping[str, bool],
                 customer_ids: Container[int]) -> list[str]:
    amounts = {"debit": line.debit, "credit": line.credit}
    if not all(amount.is_finite() for amount in amounts.values()):
        return [f"{where}: amounts must be finite numbers."]
    return [*_amount_errors(amounts, where, currency), *_side_errors(line, where),
            *_account_errors(line, where, accounts, customer_ids),
            *_document_amount_errors(line, where, currency)]


def _amount_errors(amounts: Mapping[str, Decimal], where: str, currency: str) -> list[str]:
    errors = []
    for side, amount in amounts.items():
        if amount < 0:
            errors.append(f"{where}: the {side} {amount} is negative.")
        elif amount != round_money(amount, currency):
            errors.append(f"{where}: the {side} {amount} is not rounded to {currency}.")
        elif amount >= MAX_AMOUNT:
            errors.append(f"{where}: the {side} {amount} is too large.")
    return errors


def _side_errors(line: LineDraft, where: str) -> list[str]:
    if line.debit and line.credit:
        return [f"{where} has both a debit and a credit."]
    if not line.debit and not line.credit:
        return [f"{where} has neither a debit nor a credit."]
    return []


def _account_errors(line: LineDraft, where: str, accounts: Mapping[str, bool],
                    customer_ids: Container[int]) -> list[str]:
    errors = []
    if line.gl_code not in accounts:
        errors.append(f'{where}: unknown GL account "{line.gl_code}".')
    elif not accounts[line.gl_code]:
        errors.append(f"{where}: GL account {line.gl_code} is inactive.")
    if line.customer_account_id is not None and line.customer_account_id not in customer_ids:
        errors.append(f"{where}: unknown customer account {line.customer_account_id}.")
    return errors


def _document_amount_errors(line: LineDraft, where: str, currency: str) -> list[str]:
    doc_currency, amount, rate = line.document_currency, line.document_amount, line.rate
    if not doc_currency:
        if amount is not None:
            return [f"{where} gives a document amount without its currency."]
        return []
    if len(doc_currency) != 3 or not doc_currency.isalpha() or not doc_currency.isupper():
        return [f"{where}: document currency {doc_currency!r} is not a three-letter ISO code."]
    errors = []
    if amount is None:
        errors.append(f"{where} gives a document currency without its amount.")
    elif not amount.is_finite() or amount != round_money(amount, doc_currency):
        errors.append(f"{where}: the document amount {amount} is not rounded to {doc_currency}.")
    elif amount and line.signed_amount and (amount > 0) != (line.signed_amount > 0):
        errors.append(f"{where}: the document amount {amount} has the opposite sign of the line "
                      "(debit positive, credit negative).")
    if rate is not None and (not rate.is_finite() or rate <= 0):
        errors.append(f"{where}: the rate {rate} must be positive.")
    elif rate is None and doc_currency != currency:
        errors.append(f"{where}: an amount in {doc_currency} needs the rate used.")
    return errors


def entry_errors(draft: EntryDraft, number: int, *, currency: str, accounts: Mapping[str, bool],
                 customer_ids: Container[int] = ()) -> list[str]:
    """Every reason the draft cannot be posted, each naming the entry and line; empty if none.

    `accounts` maps each known GL code to whether it is active; amounts are in `currency`, the
    functional currency, and must already be rounded to it (the caller owns the rounding point).
    """
    label = f'Entry {number} "{draft.memo}"' if draft.memo else f"Entry {number}"
    errors = []
    if not isinstance(draft.document_date, date) or isinstance(draft.document_date, datetime):
        errors.append(f"{label}: the document date must be a date.")
    if not draft.memo.strip():
        errors.append(f"{label} needs a memo.")
    elif len(draft.memo) > 255:
        errors.append(f"{label}: the memo is longer than 255 characters.")
    if draft.source is not None and not isinstance(draft.source, SourceRef) \
            and getattr(draft.source, "pk", None) is None:
        errors.append(f"{label}: the source document is not saved.")
    if not draft.lines:
        return [*errors, f"{label} has no lines."]
    for index, line in enumerate(draft.lines, 1):
        where = f"{label}, line {index} ({line.gl_code})"
        errors += _line_errors(line, where, currency, accounts, customer_ids)
    if not errors and draft.total_debit != draft.total_credit:
        errors.append(f"{label} is unbalanced: debits {draft.total_debit}, "
                      f"credits {draft.total_credit}.")
    return errors


@cache  # a bulk posting's lines name a handful of currencies
def _document_unit(currency: str) -> Decimal | None:
    """The quantum of an ISO currency code in capitals; None for anything else (then
    `entry_errors` is asked, and names it)."""
    if len(currency) == 3 and currency.isalpha() and currency.isupper():
        try:
            return quantum(currency)
        except UnknownCurrency:
            pass
    return None


def _plain_line(line: LineDraft, unit: Decimal, functional: str, accounts: Mapping[str, bool],
                customer_ids: Container[int]) -> bool:
    debit, credit = line.debit, line.credit
    amount = debit or credit
    if (not amount.is_finite() or (debit and credit) or not ZERO < amount < MAX_AMOUNT
            or amount.quantize(unit) != amount):  # a quantize is cheaper than as_tuple()
        return False
    customer = line.customer_account_id
    if not accounts.get(line.gl_code) or (customer is not None and customer not in customer_ids):
        return False
    currency, document = line.document_currency, line.document_amount
    if not currency:
        return document is None
    document_unit, rate = _document_unit(currency), line.rate
    return (document_unit is not None and document is not None and document.is_finite()
            and document.quantize(document_unit) == document
            and (not document or (document > 0) == bool(debit))
            and (rate.is_finite() and rate > 0 if rate is not None else currency == functional))


def plainly_valid(draft: EntryDraft, *, currency: str, accounts: Mapping[str, bool],
                  customer_ids: Container[int] = ()) -> bool:
    """A quick check for bulk posting, sound but not complete: True only when `entry_errors`
    would find nothing (so the draft may post without it); False when it must be asked (it
    names the problem, or finds none: a line with more places than the currency, all zeros).
    No message is built, which is most of what `entry_errors` costs per draft."""
    if type(draft.document_date) is not date or not draft.lines:
        return False
    memo, source = draft.memo, draft.source
    if not memo or memo.isspace() or len(memo) > 255 or not (
            source is None or isinstance(source, SourceRef)
            or getattr(source, "pk", None) is not None):
        return False
    unit, balance = quantum(currency), ZERO
    for line in draft.lines:
        if not _plain_line(line, unit, currency, accounts, customer_ids):
            return False
        balance += line.debit or -line.credit
    return not balance
