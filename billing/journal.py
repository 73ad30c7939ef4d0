"""The journal entry of an invoice: pure, over plain amounts; no ORM.

Accounting rule: issuing bills what has not been earned yet, so every invoice line credits
deferred revenue (a contract liability) and each tax credits tax payable, against one debit to
the customer's receivable; only revenue recognition moves deferred revenue to revenue. A negative
line (a credit for days billed after an amendment) debits deferred revenue instead.

Conversion to the functional currency (ledger amounts are functional; the document keeps its
currency and the rate): the positive parts and the negative parts of the invoice are each
converted once and split over their lines by largest remainder (`core.money.allocate`), so the
entry balances to the cent and the receivable is their difference. At a rate of exactly 1 with
every amount in the functional currency's minor unit (an invoice in the functional currency),
that split gives back each amount: it is taken as it is.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import allocate, round_money
from ledger import chart
from ledger.drafts import EntryDraft, LineDraft
from ledger.fx import convert

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Part:
    gl_code: str
    amount: Decimal  # document currency, signed: positive is a credit
    description: str


@dataclass(frozen=True, slots=True)
class InvoiceAmounts:
    label: str
    account_id: int
    currency: str
    issue_on: date
    rate: Decimal
    parts: tuple[Part, ...]


def parts_of(lines: Sequence[tuple[Decimal, str]],
             taxes: Sequence[tuple[str, Decimal, Decimal]],
             cash_rounding: Decimal = ZERO) -> tuple[Part, ...]:
    """Deferred revenue per line (amount, description); tax payable per (name, percent, amount);
    the cash rounding on its own account (rounded up: a credit, a gain; down: a debit, a
    loss), so the receivable is the rounded total the customer pays."""
    revenue = [Part(chart.DEFERRED_REVENUE, amount, description) for amount, description in lines]
    # a levy per unit (percent 0) credits tax payable too: it is remitted as a tax is
    tax = [Part(chart.TAX_PAYABLE, amount,
                f"{name} {percent.normalize():f}%" if percent else f"{name} (levy per unit)")
           for name, percent, amount in taxes]
    rounding = [Part(chart.CASH_ROUNDING, cash_rounding, "Cash rounding")]
    return tuple(p for p in revenue + tax + rounding if p.amount)


def _functional(parts: Sequence[Part], rate: Decimal, functional: str) -> list[Decimal]:
    if not parts:
        return []
    amounts = [abs(p.amount) for p in parts]
    if rate == 1:
        # converted at 1, amounts already in the functional minor unit split back into
        # themselves: the conversion and its split were a twentieth of issuing (issue 23)
        rounded = [round_money(amount, functional) for amount in amounts]
        if rounded == amounts:
            return rounded
    return allocate(convert(sum(amounts, ZERO), rate, functional), amounts, functional)


def invoice_entry(invoice: InvoiceAmounts, *, functional: str, source=None,
                  memo: str = "") -> tuple[EntryDraft | None, Decimal]:
    """The balanced entry of an invoice (None when every amount is zero) and its functional
    total (the receivable)."""
    credits = [p for p in invoice.parts if p.amount > 0]
    debits = [p for p in invoice.parts if p.amount < 0]
    f_credits = _functional(credits, invoice.rate, functional)
    f_debits = _functional(debits, invoice.rate, functional)
    receivable = sum(f_credits, ZERO) - sum(f_debits, ZERO)
    if receivable < 0:
        raise ValueError(f"{invoice.label}: the total is negative; issue a credit note instead")
    document_total = sum((p.amount for p in invoice.parts), ZERO)
    lines = []
    if receivable:
        lines.append(LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=receivable,
                               customer_account_id=invoice.account_id,
                               document_currency=invoice.currency,
                               document_amount=document_total, rate=invoice.rate,
                               description=invoice.label))
    lines += [LineDraft(p.gl_code, credit=amount, description=p.description[:255])
              for p, amount in zip(credits, f_credits, strict=True) if amount]
    lines += [LineDraft(p.gl_code, debit=amount, description=p.description[:255])
              for p, amount in zip(debits, f_debits, strict=True) if amount]
    if not lines:
        return None, receivable
    return EntryDraft(document_date=invoice.issue_on, memo=memo or f"Invoice {invoice.label}",
                      lines=lines, source=source, source_label=invoice.label), receivable
