"""The deal desk's preview of a quote as it stands: what it will bill, when its revenue will be
recognized, when the cash should come in. Pure, over plain values; no ORM.

    preview(lines, *, currency, start_on, terms) -> Preview

It computes nothing of its own; it runs the quote's lines through the very functions the later
stages use, so the preview is what they will make:
- billing: `catalog.charge_schedule.charge_schedule` over each line's terms
  (`quotes.term_amounts.QuoteTerm`), less the quote's coupons (`quotes.coupon_amounts`), as
  `contracts.services.schedules` stores each contract line's schedule (usage bills in arrears
  and holds no amount yet);
- revenue: each line's price is what its schedule charges and its standalone price the
  catalog's over its term (`catalog.obligations`), allocated by `allocate_plan`, then recognized
  by `catalog.revenue_schedule` (ratably by day, or in the month control passes), as
  `revrec.services.contracts` does when the contract is activated. Control of goods and
  services is taken to pass on the start date (recognition waits for the actual fulfilment);
  usage is recognized as billed and is left out;
- cash: each billing date's amount falls due under the payment terms
  (`catalog.due_schedule.due_schedule`, as an issued invoice does), taking each charge's due
  date as its invoice's issue date.
Those pure modules sit on higher floors than quotes; importing their pure functions (never
their models or services) is what keeps one computation instead of a copy.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from catalog import revenue_schedule as schedules
from catalog.charge_schedule import ChargeKind, LineTerms
from catalog.coupons import CouponTerms
from catalog.due_schedule import TermsSpec, due_schedule
from catalog.obligations import (
    LineFacts,
    allocate_plan,
    estimated_ssp,
    plan_obligations,
    ssp_over_term,
)
from core.dates import add_months
from core.money import round_money
from quotes.coupon_amounts import less_coupons
from quotes.term_amounts import Schedules

ZERO = Decimal(0)
RATABLE, POINT_IN_TIME, AS_BILLED = "ratable", "point_in_time", "as_billed"


@dataclass(frozen=True, slots=True)
class DeskLine:
    """One quote line as the later stages will see it once it is a contract line."""

    key: str
    terms: LineTerms  # net per period: what its schedule charges
    list_per_period: Decimal
    quantity: Decimal
    revenue_rule: str
    is_bundle: bool = False
    included: bool = False  # priced in its parent: charges nothing
    parent_key: str | None = None
    ssp: tuple[Decimal, str] | None = None  # the catalog SSP (per unit, basis) in the currency
    unit_cost: Decimal | None = None  # per unit (per month when recurring), for the margin
    product_id: int = 0  # which coupons apply to it

    @property
    def recurring(self) -> bool:
        return self.terms.billing_period != "one_time"


@dataclass(frozen=True, slots=True)
class Preview:
    currency: str
    billing: tuple[tuple[date, Decimal, bool], ...]  # (due on, amount, has usage)
    revenue: tuple[tuple[date, Decimal], ...]  # (month's first day, amount)
    cash: tuple[tuple[date, Decimal], ...]  # (month's first day, amount due in it)
    transaction_price: Decimal
    usage_lines: int

    def _within(self, rows, days: int, start_on: date) -> Decimal:
        end = add_months(start_on, 12) if days == 365 else start_on + timedelta(days=days)
        return sum((amount for day, amount, *_ in rows if day < end), ZERO)

    def first_year_billing(self, start_on: date) -> Decimal:
        return self._within(self.billing, 365, start_on)

    def first_year_cash(self, start_on: date) -> Decimal:
        return self._within(self.cash, 365, start_on)

    def months(self) -> list[tuple[date, Decimal, Decimal, Decimal]]:
        """(month, billed, recognized, collected) for every month any of them happens in."""
        rows: dict[date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
        for day, amount, _ in self.billing:
            rows[day.replace(day=1)][0] += amount
        for column, series in ((1, self.revenue), (2, self.cash)):
            for month, amount in series:
                rows[month][column] += amount
        return [(month, *rows[month]) for month in sorted(rows)]

    def revenue_after_first_year(self, start_on: date) -> Decimal:
        """Revenue recognized in months starting 12 months after the start or later."""
        first_month_after = add_months(start_on.replace(day=1), 12)
        return sum((amount for month, amount in self.revenue if month >= first_month_after),
                   ZERO)


def charges_of(lines, currency: str, schedules_: Schedules,
               coupons: Sequence[CouponTerms] = ()) -> dict[str, list]:
    """Each line's charges by key, less the coupons, as the contract will store them."""
    return less_coupons(coupons, [(line.key, line.product_id,
                                   [] if line.included else schedules_.of(line.terms))
                                  for line in lines], currency)


def billing_of(lines, currency: str, charged: dict[str, list]
               ) -> tuple[tuple[date, Decimal, bool], ...]:
    """What the lines charge, by due date (one invoice a day), as the contract will store."""
    by_day: dict[date, list] = defaultdict(list)
    for line in lines:
        for charge in charged[line.key]:
            by_day[charge.due_on].append(charge)
    return tuple((day, round_money(sum((c.amount for c in by_day[day]), ZERO), currency),
                  any(c.kind == ChargeKind.USAGE for c in by_day[day]))
                 for day in sorted(by_day))


def _facts(line: DeskLine, currency: str, schedules_: Schedules, charged: dict[str, list]
           ) -> LineFacts:
    """As `revrec.selectors.facts_of` reads a contract line: its price is its schedule; its
    SSP the catalog's over the term, else its list over the schedule."""
    net = round_money(sum((c.amount for c in charged[line.key]), ZERO), currency)
    if line.ssp is None:
        listed = ZERO
        if not line.included and not line.terms.usage:
            list_terms = LineTerms(**{**_fields(line.terms),
                                      "amount_per_period": line.list_per_period})
            listed = sum((c.amount for c in schedules_.of(list_terms)), ZERO)
        term_ssp = estimated_ssp(round_money(listed, currency), currency)
    else:
        unit, basis = line.ssp
        term_ssp = ssp_over_term(unit, basis, line.quantity, line.terms.start_on,
                                 line.terms.end_on, currency, recurring=line.recurring)
    return LineFacts(key=line.key, net=net, ssp=term_ssp.amount, rule=line.revenue_rule,
                     bundle_key=line.parent_key if line.included else None,
                     is_bundle=line.is_bundle, term_ssp=term_ssp)


def _fields(terms: LineTerms) -> dict:
    return {name: getattr(terms, name) for name in terms.__slots__}


def _recognized(line: DeskLine, amount: Decimal, currency: str):
    rule = line.revenue_rule
    if rule == RATABLE and line.recurring:
        end = line.terms.end_on + timedelta(days=1)  # half-open, as revrec's service end
        if end > line.terms.start_on:
            return schedules.ratable_schedule(amount, currency, line.terms.start_on, end)
    return schedules.point_in_time_schedule(amount, currency, line.terms.start_on)


def revenue_of(lines, currency: str, schedules_: Schedules, charged: dict[str, list]
               ) -> tuple[Decimal, tuple[tuple[date, Decimal], ...]]:
    """The transaction price and the revenue by month, as revrec will schedule it."""
    by_key = {line.key: line for line in lines}
    plan = plan_obligations([_facts(line, currency, schedules_, charged) for line in lines],
                            currency)
    by_month: dict[date, Decimal] = defaultdict(lambda: ZERO)
    if plan.obligations:
        for obligation in allocate_plan(plan, currency):
            for row in _recognized(by_key[obligation.key], obligation.amount, currency):
                by_month[row.month] += row.amount
    return plan.transaction_price, tuple(sorted(by_month.items()))


def cash_of(billing, currency: str, terms: TermsSpec) -> tuple[tuple[date, Decimal], ...]:
    """Each billing date's amount as it falls due under the terms, by month."""
    by_month: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount, _ in billing:
        if amount:
            for instalment in due_schedule(amount, currency, day, terms):
                by_month[instalment.due_on.replace(day=1)] += instalment.amount
    return tuple(sorted(by_month.items()))


def preview(lines, *, currency: str, terms: TermsSpec,
            coupons: Sequence[CouponTerms] = ()) -> Preview:
    """Billing, revenue and cash of the lines, each by the later stage's own function."""
    lines, schedules_ = list(lines), Schedules()
    charged = charges_of(lines, currency, schedules_, coupons)
    billing = billing_of(lines, currency, charged)
    price, revenue = revenue_of(lines, currency, schedules_, charged)
    return Preview(currency=currency, billing=billing, revenue=revenue,
                   cash=cash_of(billing, currency, terms), transaction_price=price,
                   usage_lines=sum(1 for line in lines if line.revenue_rule == AS_BILLED))
