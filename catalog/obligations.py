"""From contract lines to performance obligations and their allocation input (ASC 606 steps 2-4).

    plan_obligations(lines, currency) -> Plan
    allocate_plan(plan, currency) -> tuple[AllocatedObligation, ...]

Pure, over plain values; no ORM. A selector describes each contract line as a `LineFacts`.

The rules:
- Each line is a distinct performance obligation, except a bundle's own line when the bundle's
  components are lines of their own: its price is then shared by its components alone, in
  proportion to their standalone prices (each distinct; the catalog sells the bundle at its
  price, so its discount belongs to its components, ASC 606-10-32-37). An included component
  therefore never takes more than its share of the bundle's price, whatever else the contract
  holds.
- Usage lines (recognized as billed) are variable consideration allocated wholly to their own
  obligation (ASC 606-10-32-40): they take no part in the fixed price's allocation.
- The transaction price is the sum of the other lines' prices, each line's `net` being what its
  charge schedule charges (the selector reads the stored rows): what the customer signed is
  what is billed is what is recognized. Later changes move it by the rows they end and add.
- A line's standalone selling price over its term is the catalog SSP per unit, on its basis
  (per month, per year, one-time), × quantity × how many of that basis the line's term holds
  (`ssp_over_term`: 12 for a per-month SSP over a year, 1.5 for a per-year SSP over 18 months,
  1 for one-time); a product without an SSP in the contract's currency is estimated at the
  line's list amount.
- A line whose SSP the SSP table estimates by the residual approach (IFRS 15.79(c): a price
  highly variable or uncertain) has as SSP the price of the lines outside bundles less the
  other lines' SSPs (`with_residual_ssps`); its range, when given, is what that residual must
  fall in (IFRS 15 IE Example 34, Case C: a residual below the observed prices is not a
  reasonable estimate, so the revenue contract flags it).
- The rest of the price (the lines outside bundles) is allocated over their obligations by
  relative SSP. Its discount belongs to a subset (ASC 606-10-32-37) when some groups (a line, or
  a line with the lines priced with it) sell at or above their standalone price and the others
  below it: the discount is then allocated to the discounted groups only, provided it fits
  within their standalone prices; otherwise it is spread over them all by relative SSP.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from catalog.allocation import AllocatedObligation, Obligation, allocate_transaction_price
from core.dates import add_months
from core.money import allocate, round_money

ZERO = Decimal(0)
AS_BILLED = "as_billed"
RESIDUAL = "residual"


PER_MONTH, PER_YEAR, ONE_TIME, LIST = "per_month", "per_year", "one_time", "list"
MONTHS_A_YEAR = Decimal(12)


@dataclass(frozen=True, slots=True)
class TermSSP:
    """A line's standalone selling price over its term, and how it was found."""

    unit: Decimal  # per unit on `basis` (the line's list amount when `basis` is LIST)
    basis: str  # per_month, per_year, one_time, or list (no catalog SSP: estimated)
    periods: Decimal  # how many of the basis the term holds (1 for one-time and list)
    quantity: Decimal
    amount: Decimal  # unit × quantity × periods, rounded to the currency


@dataclass(frozen=True, slots=True)
class LineFacts:
    key: str
    net: Decimal
    ssp: Decimal  # over the line's term (see ssp_over_term)
    rule: str  # the product's revenue rule: ratable, point_in_time or as_billed
    bundle_key: str | None = None  # the bundle line it is a component of
    is_bundle: bool = False
    term_ssp: TermSSP | None = None  # how `ssp` was found
    ssp_method: str = ""  # the SSP table's method; RESIDUAL: `ssp` is what the others leave
    ssp_low: Decimal | None = None  # the SSP range over the term
    ssp_high: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Bundle:
    key: str
    price: Decimal  # the bundle line's and its components' prices, shared by the components
    components: frozenset[str]


@dataclass(frozen=True, slots=True)
class Plan:
    transaction_price: Decimal
    obligations: tuple[Obligation, ...]  # in the lines' order; usage and bundle lines excluded
    usage_keys: tuple[str, ...]
    discount_to: frozenset[str] | None  # among the obligations outside bundles
    bundles: tuple[Bundle, ...] = ()


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


def ssp_over_term(unit_ssp: Decimal, basis: str, quantity: Decimal, start: date,
                  end_inclusive: date, currency: str, *, recurring: bool = True) -> TermSSP:
    """The standalone price of the whole line: per unit on its basis × quantity × how many of
    the basis the term holds (months covered, or months covered / 12), rounded once to the
    currency. A one-time SSP, or any SSP of a line without a term (one-time), counts once."""
    if basis == ONE_TIME or not recurring:
        periods = Decimal(1)
    elif basis == PER_MONTH:
        periods = months_covered(start, end_inclusive)
    elif basis == PER_YEAR:
        periods = months_covered(start, end_inclusive) / MONTHS_A_YEAR
    else:
        raise ValueError(f"unknown SSP basis {basis!r}")
    return TermSSP(unit_ssp, basis, periods, quantity,
                   round_money(unit_ssp * quantity * periods, currency))


def estimated_ssp(list_amount: Decimal, currency: str) -> TermSSP:
    """No catalog SSP in the currency: the line's list amount over its term stands for it."""
    return TermSSP(list_amount, LIST, Decimal(1), Decimal(1), round_money(list_amount, currency))


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


def with_residual_ssps(lines: list[LineFacts], currency: str) -> list[LineFacts]:
    """Lines whose SSP is estimated by the residual approach (IFRS 15.79(c)) get the price of
    the lines outside bundles less the other lines' SSPs (never below 0), shared by their own
    prices when there are several; the other lines are returned as they are."""
    residual = [line for line in lines if line.ssp_method == RESIDUAL and not line.bundle_key
                and not line.is_bundle]
    if not residual:
        return lines
    rest = [line for line in lines if not line.bundle_key and not line.is_bundle]
    left = sum((line.net for line in rest), ZERO) - sum(
        (line.ssp for line in rest if line not in residual), ZERO)
    parts = allocate(round_money(max(left, ZERO), currency),
                     [line.net for line in residual], currency)
    ssp = {line.key: part for line, part in zip(residual, parts, strict=True)}
    return [replace(line, ssp=ssp[line.key]) if line.key in ssp else line for line in lines]


def plan_obligations(lines, currency: str) -> Plan:
    """The obligations, their SSPs (residual ones resolved), the transaction price, the
    bundles whose price their components share, and who owns the rest's discount."""
    fixed = with_residual_ssps([line for line in lines if line.rule != AS_BILLED], currency)
    usage = tuple(line.key for line in lines if line.rule == AS_BILLED)
    with_components = {line.bundle_key for line in fixed if line.bundle_key}
    bundle_keys = {line.key for line in fixed if line.is_bundle and line.key in with_components}
    obligations = tuple(Obligation(line.key, line.ssp) for line in fixed
                        if line.key not in bundle_keys)
    price = round_money(sum((line.net for line in fixed), ZERO), currency)
    bundles = tuple(
        Bundle(key, round_money(sum((line.net for line in fixed
                                     if key in (line.key, line.bundle_key)), ZERO), currency),
               frozenset(line.key for line in fixed if line.bundle_key == key))
        for key in (line.key for line in fixed if line.key in bundle_keys))
    in_bundles = {key for bundle in bundles for key in bundle.components}
    rest = [line for line in fixed
            if line.key not in bundle_keys and line.key not in in_bundles]
    rest_keys = {o.key for o in obligations} - in_bundles
    owners = _discount_owners(rest, rest_keys) if rest_keys else None
    return Plan(price, obligations, usage, owners, bundles)


def allocate_plan(plan: Plan, currency: str) -> tuple[AllocatedObligation, ...]:
    """Each bundle's price over its components by relative SSP, the rest of the transaction
    price over the other obligations (by relative SSP, or to the subset owning the discount);
    in the obligations' order, adding up exactly to the transaction price."""
    allocated: dict[str, AllocatedObligation] = {}
    for bundle in plan.bundles:
        members = [o for o in plan.obligations if o.key in bundle.components]
        allocated.update((a.key, a) for a in allocate_transaction_price(
            bundle.price, currency, members))
    rest = [o for o in plan.obligations if o.key not in allocated]
    if rest:
        rest_price = plan.transaction_price - sum((b.price for b in plan.bundles), ZERO)
        allocated.update((a.key, a) for a in allocate_transaction_price(
            rest_price, currency, rest, discount_to=plan.discount_to))
    return tuple(allocated[o.key] for o in plan.obligations)
