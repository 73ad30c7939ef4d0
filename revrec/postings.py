"""The journal entry of one revenue contract's month: revenue by product family, and the
contract asset reclass, in one entry (the run writes one entry per contract and month, not one
per movement). Pure: plain values in, `ledger.drafts.EntryDraft`s out.

- Revenue: debit deferred revenue, credit revenue, one credit line per product family (its
  description names the family), in the functional currency; the deferred revenue line carries
  the customer account and the amount in the contract's currency with the rate used (the
  booked rate: functional / document). A negative month (a termination's true-up) mirrors it.
- The month's functional revenue is split over the families by their amounts in the contract's
  currency with largest remainder (core.money.allocate), so the lines add up exactly; families
  with opposite signs are split as two groups (each group's share by the same rule).
- An exchange difference on revenue recognized before (revrec.release) goes to realized FX
  against deferred revenue in the same entry.
- Reclass: the change of the contract asset, debit unbilled receivable against deferred
  revenue (credit it back when the asset shrinks), both lines naming the customer account.
"""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from core.money import allocate, round_money
from ledger import chart
from ledger.drafts import EntryDraft, LineDraft

ZERO = Decimal(0)
RATE_PLACES = Decimal("0.00000001")


class FamilyAmount(NamedTuple):  # a named tuple: cheaper to make than a frozen dataclass
    family: str
    amount: Decimal  # contract currency
    functional: Decimal


def split_by_family(functional: Decimal, amounts: dict[str, Decimal], functional_currency: str,
                    *, rate: Decimal) -> list[FamilyAmount]:
    """The month's functional revenue over the families, adding up exactly. With families of
    both signs, the positive group gets its amount at the month's effective rate (functional /
    document; `rate` when the document amounts cancel out), the negative group the rest."""
    if len(amounts) == 1:  # the usual case: all of it to the one family
        ((family, amount),) = amounts.items()
        return [FamilyAmount(family, amount, functional)]
    families = sorted(amounts)
    positive = [f for f in families if amounts[f] > 0]
    negative = [f for f in families if amounts[f] < 0]
    if not (positive and negative):
        parts = allocate(functional, [abs(amounts[f]) for f in families], functional_currency)
        return [FamilyAmount(f, amounts[f], part)
                for f, part in zip(families, parts, strict=True)]
    document = sum(amounts.values(), ZERO)
    effective = functional / document if document else rate
    plus = sum((amounts[f] for f in positive), ZERO)
    plus_functional = round_money(plus * effective, functional_currency)
    minus_functional = functional - plus_functional
    parts = dict(zip(positive, allocate(plus_functional, [amounts[f] for f in positive],
                                        functional_currency), strict=True))
    parts |= dict(zip(negative, allocate(minus_functional, [-amounts[f] for f in negative],
                                         functional_currency), strict=True))
    return [FamilyAmount(f, amounts[f], parts[f]) for f in families]


def side(account: str, amount: Decimal, customer_account_id: int | None = None,
         document_currency: str = "", document_amount: Decimal | None = None,
         rate: Decimal | None = None, description: str = "") -> LineDraft:
    """A debit of `amount`, or a credit when it is negative. The draft is built from its fields
    in order (a recognition run builds four a contract: by keyword, and through a dict of the
    other fields, each cost a fifth more)."""
    if amount >= 0:
        return LineDraft(account, amount, ZERO, customer_account_id, document_currency,
                         document_amount, rate, description)
    return LineDraft(account, ZERO, -amount, customer_account_id, document_currency,
                     document_amount, rate, description)


def _revenue_lines(families: list[FamilyAmount], label: str, customer_account_id: int,
                   currency: str, fx: Decimal) -> list[LineDraft]:
    revenue = document = ZERO
    for f in families:  # one pass (most months have one family)
        revenue += f.functional
        document += f.amount
    lines = []
    if revenue:
        rate = (abs(revenue) / abs(document)).quantize(RATE_PLACES) \
            if document and (revenue > 0) == (document > 0) else None
        lines.append(side(chart.DEFERRED_REVENUE, revenue,
                          customer_account_id=customer_account_id,
                          document_currency=currency if rate else "",
                          document_amount=document if rate else None, rate=rate,
                          description=f"Released {label}"))
    lines += [side(chart.REVENUE, -f.functional, description=f.family or "No family")
              for f in families if f.functional]
    if fx:
        lines += [side(chart.DEFERRED_REVENUE, fx, customer_account_id=customer_account_id,
                       description=f"Exchange difference {label}"),
                  side(chart.REALIZED_FX, -fx, description=f"Exchange difference {label}")]
    return lines


def revenue_entry(*, families: list[FamilyAmount], month_end: date, label: str, source,
                  customer_account_id: int, currency: str, fx: Decimal = ZERO,
                  reclass: Decimal = ZERO) -> EntryDraft | None:
    """Debit deferred revenue, credit revenue per family and the exchange difference on what
    was recognized before; then move the change of the contract asset (`reclass`) between
    deferred revenue and unbilled receivable. None when nothing moves."""
    released = _revenue_lines(families, label, customer_account_id, currency, fx)
    reclassed = [side(chart.UNBILLED_RECEIVABLE, reclass,
                      customer_account_id=customer_account_id),
                 side(chart.DEFERRED_REVENUE, -reclass,
                      customer_account_id=customer_account_id)] if reclass else []
    if not (released or reclassed):
        return None
    memo = "Revenue recognized" if released else "Contract asset reclass"
    return EntryDraft(document_date=month_end, memo=f"{memo} {label}",
                      lines=released + reclassed, source=source, source_label=label)
