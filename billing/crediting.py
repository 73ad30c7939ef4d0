"""Crediting an invoice: pure maths over what is left of its lines; no ORM.

What may be credited is what is left of each invoice line (net and each of its taxes) after the
credit notes already issued on it. Three ways to say how much:
- whole: everything left;
- per line: a net amount for each line; its tax is the line's tax on the net credited so far,
  rounded, less the tax already credited (so crediting a line in parts never credits more or
  less tax than the line carried);
- an amount: a gross amount split over the lines in proportion to what is left of them
  (largest remainder, `core.money.allocate`), each part split into net and tax at the line's
  own ratio.

The credit's journal entry mirrors the invoice's (`billing.journal`) for the credited parts, its
receivable credit split between the receivable (what reduces the amount due) and customer
credits (what is owed back).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from billing import journal
from core.money import allocate, round_money
from ledger import chart
from ledger.drafts import EntryDraft

ZERO = Decimal(0)
TaxKey = tuple[str, Decimal]  # (tax name, percent)


@dataclass(frozen=True)
class LineLeft:
    """One invoice line: what it billed and what earlier credit notes took back."""

    line_id: int
    amount: Decimal
    taxes: Mapping[TaxKey, Decimal]
    credited_amount: Decimal = ZERO
    credited_taxes: Mapping[TaxKey, Decimal] = field(default_factory=dict)

    @property
    def amount_left(self) -> Decimal:
        return max(self.amount - self.credited_amount, ZERO)

    def tax_left(self, key: TaxKey) -> Decimal:
        return self.taxes[key] - self.credited_taxes.get(key, ZERO)

    @property
    def gross_left(self) -> Decimal:
        return self.amount_left + sum((self.tax_left(k) for k in self.taxes), ZERO)


@dataclass(frozen=True)
class CreditPart:
    line_id: int
    amount: Decimal
    taxes: dict[TaxKey, Decimal]

    @property
    def tax(self) -> Decimal:
        return sum(self.taxes.values(), ZERO)


def _taxes_for_net(line: LineLeft, net: Decimal, currency: str,
                   mode: str = ROUND_HALF_UP) -> dict[TaxKey, Decimal]:
    """The line's tax on everything credited so far, rounded once (ties by the invoice's
    rounding mode), less what was credited."""
    if not line.amount:
        return {}
    so_far = line.credited_amount + net
    return {key: round_money(tax * so_far / line.amount, currency, rounding=mode)
            - line.credited_taxes.get(key, ZERO) for key, tax in line.taxes.items()}


def credit_by_lines(lines: Sequence[LineLeft], nets: Mapping[int, Decimal],
                    currency: str, mode: str = ROUND_HALF_UP) -> list[CreditPart]:
    """Credit a net amount of each named line; refuses more than is left of a line."""
    by_id = {line.line_id: line for line in lines}
    parts, errors = [], {}
    for line_id, net in nets.items():
        line = by_id.get(line_id)
        if line is None:
            errors[f"line_{line_id}"] = "This line is not on the invoice."
        elif net < 0 or round_money(net, currency) != net:
            errors[f"line_{line_id}"] = f"{net} is not a positive amount in {currency}."
        elif net > line.amount_left:
            left = round_money(line.amount_left, currency)
            errors[f"line_{line_id}"] = (f"{net} is more than the {left} left to "
                                         "credit on this line.")
        elif net:
            parts.append(CreditPart(line_id, net, _taxes_for_net(line, net, currency, mode)))
    if errors:
        raise ValidationError(errors)
    return parts


def credit_whole(lines: Sequence[LineLeft], currency: str,
                 mode: str = ROUND_HALF_UP) -> list[CreditPart]:
    """Everything left on every line."""
    return credit_by_lines([ln for ln in lines if ln.amount_left > 0],
                           {ln.line_id: ln.amount_left for ln in lines if ln.amount_left > 0},
                           currency, mode)


def credit_amount(lines: Sequence[LineLeft], gross: Decimal, currency: str,
                  mode: str = ROUND_HALF_UP) -> list[CreditPart]:
    """A gross amount spread over what is left of the lines, each part split into net and tax
    at the line's ratio of what is left."""
    open_lines = [line for line in lines if line.gross_left > 0]
    left = round_money(sum((line.gross_left for line in open_lines), ZERO), currency)
    if gross > left:
        raise ValidationError({"amount": f"{gross} is more than the {left} left to credit on "
                                         "this invoice."})
    parts = []
    for line, share in zip(open_lines, allocate(gross, [ln.gross_left for ln in open_lines],
                                                currency), strict=True):
        if not share:
            continue
        net = min(round_money(share * line.amount_left / line.gross_left, currency,
                              rounding=mode), line.amount_left)
        keys = list(line.taxes)
        tax_parts = allocate(share - net, [line.tax_left(k) for k in keys], currency) \
            if keys else []
        parts.append(CreditPart(line.line_id, net, dict(zip(keys, tax_parts, strict=True))))
    return parts


def split_settlement(total: Decimal, amount_due: Decimal, invoice_open: bool
                     ) -> tuple[Decimal, Decimal]:
    """(reduces the amount due, owed back to the customer) of a credit of `total`."""
    applied = min(total, amount_due) if invoice_open else ZERO
    return applied, total - applied


def credit_entry(*, label: str, account_id: int, currency: str, day: date, rate: Decimal,
                 parts: Sequence[journal.Part], applied: Decimal, excess: Decimal,
                 functional: str, source=None, memo: str) -> tuple[EntryDraft | None, Decimal]:
    """The mirror of the invoice's entry for the credited parts, its receivable credit split
    between the receivable (what reduces the amount due) and customer credits (the rest)."""
    amounts = journal.InvoiceAmounts(label, account_id, currency, day, rate, tuple(parts))
    entry, receivable = journal.invoice_entry(amounts, functional=functional, source=source,
                                              memo=memo)
    if entry is None:
        return None, receivable
    lines = []
    for line in entry.lines:
        if line.gl_code != chart.ACCOUNTS_RECEIVABLE:
            lines.append(line.mirrored())
            continue
        f_applied, f_excess = allocate(receivable, [applied, excess], functional)
        for gl_code, f_amount, amount in ((chart.ACCOUNTS_RECEIVABLE, f_applied, applied),
                                          (chart.CUSTOMER_CREDITS, f_excess, excess)):
            if amount and f_amount:
                lines.append(replace(line, gl_code=gl_code, debit=ZERO, credit=f_amount,
                                     document_amount=-amount))
    return replace(entry, lines=lines), receivable


@dataclass(frozen=True)
class Credited:
    """What an invoice's issued credit notes took back: gross (net + tax) and cash rounding."""

    gross: Decimal = ZERO
    cash_rounding: Decimal = ZERO


NOTHING_CREDITED = Credited()
