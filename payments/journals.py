"""The payments journals, as ledger drafts built from plain values (no queries).

Rates: a receivable is cleared at the rate the invoice was booked at (the issue entry's rate);
cash and customer credits move at the payment's rate on receipt. The difference is realized
FX: a debit (loss) when the cash was worth less in the functional currency than the receivable,
a credit (gain) when more. Each functional amount is rounded once: a total is converted, then
split by largest remainder across its parts, so every entry balances to the unit.

- receipt with applications: Dr cash; Cr receivable per invoice; Dr sales discounts (and tax
  payable for the tax part) for early-payment discounts; Cr customer credits for what is left
  (unapplied cash); FX difference.
- application of a credit balance: Dr customer credits instead of cash.
- un-application (refund or dispute of applied cash): Dr receivable; Cr customer credits.
- refund: Dr customer credits; Cr cash.   dispute opened: the same, cash withdrawn.
- dispute won: Dr cash; Cr customer credits (then re-applied as above).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import allocate
from ledger import chart
from ledger.drafts import EntryDraft, LineDraft
from ledger.fx import convert

ZERO = Decimal("0")


@dataclass(frozen=True)
class Part:
    """Cash moved on or off one invoice, in the invoice's currency."""

    invoice_id: int
    label: str
    booked_rate: Decimal
    amount: Decimal  # positive: applied; negative: taken back off
    discount_net: Decimal = ZERO
    discount_tax: Decimal = ZERO
    discount_mode: str = ""  # payments.cash_discount.DiscountTaxMode of a discount granted

    @property
    def discount(self) -> Decimal:
        return self.discount_net + self.discount_tax


@dataclass(frozen=True)
class PartResult:
    functional_amount: Decimal  # receivable cleared (negative when put back), booked rate
    fx_difference: Decimal  # loss positive, gain negative


@dataclass(frozen=True)
class Payer:
    account_id: int
    currency: str
    rate: Decimal
    label: str


def _fx_line(difference: Decimal, label: str) -> list[LineDraft]:
    if difference > 0:
        return [LineDraft(chart.REALIZED_FX, debit=difference, description=label)]
    if difference < 0:
        return [LineDraft(chart.REALIZED_FX, credit=-difference, description=label)]
    return []


def _credits_line(payer: Payer, amount: Decimal, functional: Decimal, *, debit: bool):
    """Customer credits, by customer, in the payment's currency at its rate."""
    if not amount:
        return []
    side = {"debit": functional} if debit else {"credit": functional}
    return [LineDraft(chart.CUSTOMER_CREDITS, **side, customer_account_id=payer.account_id,
                      document_currency=payer.currency,
                      document_amount=amount if debit else -amount, rate=payer.rate,
                      description=f"Unapplied cash {payer.label}")]


def _cash_line(payer: Payer, functional: Decimal, *, debit: bool) -> list[LineDraft]:
    side = {"debit": functional} if debit else {"credit": functional}
    return [LineDraft(chart.CASH, **side, description=payer.label)]


def _part_lines(part: Part, paid_functional: Decimal, functional_currency: str):
    """Receivable, discount and FX lines of one part; `paid_functional` is its cash side."""
    cleared = part.amount + part.discount
    booked = convert(abs(cleared), part.booked_rate, functional_currency)
    amount_f, net_f, tax_f = allocate(booked, [abs(part.amount), part.discount_net,
                                               part.discount_tax], functional_currency)
    lines = []
    receivable = {"credit": booked} if cleared > 0 else {"debit": booked}
    lines.append(LineDraft(chart.ACCOUNTS_RECEIVABLE, **receivable, customer_account_id=None,
                           document_amount=-cleared, rate=part.booked_rate,
                           description=part.label))
    if net_f:
        lines.append(LineDraft(chart.SALES_DISCOUNTS, debit=net_f,
                               description=f"Early-payment discount {part.label}"))
    if tax_f:
        lines.append(LineDraft(chart.TAX_PAYABLE, debit=tax_f,
                               description=f"Tax on early-payment discount {part.label}"))
    difference = amount_f - paid_functional if part.amount > 0 else paid_functional - amount_f
    signed_booked = booked if cleared > 0 else -booked
    return lines, PartResult(functional_amount=signed_booked, fx_difference=difference)


def cash_entry(*, payer: Payer, day: date, memo: str, parts: list[Part], functional_currency: str,
               cash: Decimal = ZERO, credit_before: Decimal = ZERO,
               source=None) -> tuple[EntryDraft, list[PartResult]]:
    """One entry moving cash (`cash` > 0 received, < 0 paid out) and credits on or off invoices.

    Whatever of the cash is not on an invoice goes to (or comes from) customer credits. The
    credits line is the change of the payment's converted unapplied balance (`credit_before`
    before, converted, against after, converted), so however the balance is drawn down in
    pieces, the pieces add up to what was credited and customer credits return to zero.
    """
    credits = cash - sum((part.amount for part in parts), ZERO)  # > 0 to credits, < 0 drawn
    lines: list[LineDraft] = []
    if cash:
        lines += _cash_line(payer, convert(abs(cash), payer.rate, functional_currency),
                            debit=cash > 0)
    if credits:
        moved = (convert(credit_before + credits, payer.rate, functional_currency)
                 - convert(credit_before, payer.rate, functional_currency))
        lines += _credits_line(payer, abs(credits), abs(moved), debit=credits < 0)
    results = []
    for part in parts:
        paid = convert(abs(part.amount), payer.rate, functional_currency)
        part_lines, result = _part_lines(part, paid, functional_currency)
        lines += [_with_customer(line, payer) for line in part_lines]
        lines += _fx_line(result.fx_difference, part.label)
        results.append(result)
    # Cash, credits and parts were each converted at the payment's rate and rounded once:
    # what is left (a unit of rounding at most) is realized FX too.
    lines += _fx_line(_imbalance(lines), memo)
    # A part worth less than a functional minor unit converts to nothing: no line to post.
    lines = [line for line in lines if line.debit or line.credit]
    return EntryDraft(document_date=day, memo=memo[:255], lines=lines, source=source,
                      source_label=payer.label), results


def _with_customer(line: LineDraft, payer: Payer) -> LineDraft:
    if line.gl_code != chart.ACCOUNTS_RECEIVABLE:
        return line
    return LineDraft(line.gl_code, debit=line.debit, credit=line.credit,
                     customer_account_id=payer.account_id, document_currency=payer.currency,
                     document_amount=line.document_amount, rate=line.rate,
                     description=line.description)


def _imbalance(lines: list[LineDraft]) -> Decimal:
    """Credits less debits."""
    return sum((line.credit - line.debit for line in lines), ZERO)
