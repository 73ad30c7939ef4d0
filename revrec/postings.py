"""The journal entries of one revenue contract's month: revenue by product family, and the
contract asset reclass. Pure: plain values in, `ledger.drafts.EntryDraft`s out.

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
  revenue (credit it back when the asset shrinks).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import allocate, round_money
from ledger import chart
from ledger.drafts import EntryDraft, LineDraft

ZERO = Decimal(0)
RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True, slots=True)
class FamilyAmount:
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


def side(account: str, amount: Decimal, **extra) -> LineDraft:
    if amount >= 0:
        return LineDraft(account, debit=amount, **extra)
    return LineDraft(account, credit=-amount, **extra)


def revenue_entry(*, families: list[FamilyAmount], month_end: date, label: str, source,
                  customer_account_id: int, currency: str, fx: Decimal = ZERO
                  ) -> EntryDraft | None:
    """Debit deferred revenue, credit revenue per family and the exchange difference on what
    was recognized before (None when nothing moves)."""
    revenue = sum((f.functional for f in families), ZERO)
    document = sum((f.amount for f in families), ZERO)
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
    if not lines:
        return None
    return EntryDraft(document_date=month_end, memo=f"Revenue recognized {label}",
                      lines=lines, source=source, source_label=label)


def reclass_entry(*, change: Decimal, month_end: date, label: str, source,
                  customer_account_id: int) -> EntryDraft | None:
    """Move the change of the contract asset between deferred revenue and unbilled receivable."""
    if not change:
        return None
    return EntryDraft(
        document_date=month_end, memo=f"Contract asset reclass {label}", source=source,
        source_label=label,
        lines=[side(chart.UNBILLED_RECEIVABLE, change, customer_account_id=customer_account_id),
               side(chart.DEFERRED_REVENUE, -change, customer_account_id=customer_account_id)])
