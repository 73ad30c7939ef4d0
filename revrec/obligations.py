"""From contract lines to performance obligations and their allocation input (ASC 606 steps 2-4).

    plan_obligations(lines, currency) -> Plan

Pure, over plain values; no ORM. A selector describes each contract line as a `LineFacts`.

The rules:
- Each line is a distinct performance obligation, except a bundle's own line when the bundle's
  components are lines of their own: its price is then shared by its components (each distinct,
  each with its own standalone price).
- Usage lines (recognized as billed) are variable consideration allocated wholly to their own
  obligation (ASC 606-10-32-40): they take no part in the fixed price's allocation.
- The transaction price is the sum of the other lines' net amounts (after discounts).
- A line's standalone selling price over its term is the catalog SSP per unit and billing period
  × quantity × the number of billing periods the line covers (`ssp_over_term`); a product
  without an SSP in the contract's currency is estimated at the line's list amount.
- The discount belongs to a subset (ASC 606-10-32-37) when some groups (a line, or a bundle with
  its components) sell at or above their standalone price and the others below it: the discount
  is then allocated to the discounted groups only, provided it fits within their standalone
  prices; otherwise it is spread over all obligations by relative SSP.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.dates import add_months
from core.money import round_money
from revrec.allocation import Obligation

ZERO = Decimal(0)
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}
AS_BILLED = "as_billed"


@dataclass(frozen=True, slots=True)
class LineFacts:
    key: str
    net: Decimal
    ssp: Decimal  # over the line's term (see ssp_over_term)
    rule: str  # the product's revenue rule: ratable, point_in_time or as_billed
    bundle_key: str | None = None  # the bundle line it is a component of
    is_bundle: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    transaction_price: Decimal
    obligations: tuple[Obligation, ...]  # in the lines' order; usage and bundle lines excluded
    usage_keys: tuple[str, ...]
    discount_to: frozenset[str] | None


def months_covered(start: date, end_inclusive: date) -> Decimal:
    """Whole calendar months from `start` to the day after `end_inclusive`, plus the rest as
    days over the days of the following month (1 January to 15 February is 1 + 15/28)."""
    end = end_inclusive.toordinal() + 1
    whole = 0
    while add_months(start, whole + 1).toordinal() <= end:
        whole += 1
    month_from = add_months(start, whole)
    rest = end - month_from.toordinal()
    if not rest:
        return Decimal(whole)
    days_in_step = add_months(start, whole + 1).toordinal() - month_from.toordinal()
    return Decimal(whole) + Decimal(rest) / Decimal(days_in_step)


def ssp_over_term(unit_ssp: Decimal, quantity: Decimal, billing_period: str, start: date,
                  end_inclusive: date, currency: str) -> Decimal:
    """The standalone price of the whole line: per unit and billing period × quantity ×
    periods covered (one for a one-time line), rounded to the currency."""
    months = PERIOD_MONTHS.get(billing_period)
    periods = Decimal(1) if months is None else months_covered(start, end_inclusive) / months
    return round_money(unit_ssp * quantity * periods, currency)


def _groups(lines: list[LineFacts]) -> dict[str, list[LineFacts]]:
    groups: dict[str, list[LineFacts]] = {}
    for line in lines:
        groups.setdefault(line.bundle_key or line.key, []).append(line)
    return groups


def _discount_owners(lines: list[LineFacts], obligation_keys: set[str]) -> frozenset[str] | None:
    at_ssp, discounted = set(), set()
    for members in _groups(lines).values():
        keys = {m.key for m in members} & obligation_keys
        if not keys:
            continue
        net = sum((m.net for m in members), ZERO)
        ssp = sum((m.ssp for m in members if m.key in keys), ZERO)
        (at_ssp if net >= ssp else discounted).update(keys)
    if not at_ssp or not discounted:
        return None
    subset_ssp = sum((line.ssp for line in lines if line.key in discounted), ZERO)
    total_net = sum((line.net for line in lines), ZERO)
    others_ssp = sum((line.ssp for line in lines if line.key in at_ssp), ZERO)
    if total_net - others_ssp < 0 or subset_ssp <= 0:
        return None
    return frozenset(discounted)


def plan_obligations(lines, currency: str) -> Plan:
    """The obligations, their SSPs, the transaction price and who owns the discount."""
    fixed = [line for line in lines if line.rule != AS_BILLED]
    usage = tuple(line.key for line in lines if line.rule == AS_BILLED)
    with_components = {line.bundle_key for line in fixed if line.bundle_key}
    obligations = tuple(Obligation(line.key, line.ssp) for line in fixed
                        if not (line.is_bundle and line.key in with_components))
    price = round_money(sum((line.net for line in fixed), ZERO), currency)
    owners = _discount_owners(fixed, {o.key for o in obligations}) if obligations else None
    return Plan(price, obligations, usage, owners)
