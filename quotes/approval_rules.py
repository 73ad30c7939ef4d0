"""Which approval rules a quote hits, and why in words: pure, over plain snapshots; no ORM.

    approval_hits(quote: QuoteFacts, rules: Sequence[RuleFacts]) -> list[Hit]

A line's discount percent is what it gives away against its list amount over the term (so an
amount off each period counts too), the quote's coupons included: a coupon is a discount like
any other, so a 100% coupon asks for the approval a 100% line discount would. Margin is the
net over the term, after coupons, against the unit cost over the same time: a unit cost is
per unit per month for a recurring line (so quantity × unit cost × the term's months) and per
unit for a one-time line; shown only when the product has a unit cost in the quote's currency.
An amount rule (TCV, net of coupons) compares a quote in another currency through the
functional currency at the rates of the quote's start (`QuoteFacts.rates`); without a rate it
asks for approval rather than letting the quote pass. The deal desk rules (first-year cash,
revenue deferred beyond 12 months) read the deal desk preview's figures (quotes.deal_desk) as
shares of the total contract value.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)

LINE_DISCOUNT = "line_discount"
TOTAL_DISCOUNT = "total_discount"
TCV_ABOVE = "tcv_above"
PAYMENT_TERMS = "payment_terms"
FIRST_YEAR_CASH = "first_year_cash"
DEFERRED_REVENUE = "deferred_revenue"
DESK_CONDITIONS = frozenset({FIRST_YEAR_CASH, DEFERRED_REVENUE})


@dataclass(frozen=True, slots=True)
class LineFacts:
    position: int
    sku: str
    name: str
    quantity: Decimal
    cost_months: Decimal  # the term's months for a recurring line, 1 for a one-time line
    list_amount: Decimal
    discount_amount: Decimal  # the line's own discount
    net_amount: Decimal  # what the line brings over the term, after coupons
    unit_cost: Decimal | None = None  # in the quote's currency
    coupon_amount: Decimal = ZERO

    @property
    def given_away(self) -> Decimal:
        return self.discount_amount + self.coupon_amount

    @property
    def discount_percent(self) -> Decimal:
        if not self.list_amount:
            return ZERO
        return self.given_away * HUNDRED / self.list_amount

    @property
    def cost(self) -> Decimal | None:
        if self.unit_cost is None:
            return None
        return self.unit_cost * self.quantity * self.cost_months


@dataclass(frozen=True, slots=True)
class QuoteFacts:
    currency: str
    term_months: int
    list_total: Decimal
    discount_total: Decimal  # the lines' own discounts
    total_contract_value: Decimal  # net of coupons
    payment_terms_name: str
    payment_terms_days: int
    lines: tuple[LineFacts, ...] = ()
    # Functional-currency units per unit of each currency known on `rates_on` (the start).
    rates: tuple[tuple[str, Decimal], ...] = ()
    rates_on: date | None = None
    # From the deal desk preview, when a rule needs them (None: not worked out).
    first_year_cash: Decimal | None = None
    revenue_after_first_year: Decimal | None = None
    coupon_total: Decimal = ZERO

    @property
    def given_away(self) -> Decimal:
        return self.discount_total + self.coupon_total

    @property
    def discount_percent(self) -> Decimal:
        return self.given_away * HUNDRED / self.list_total if self.list_total else ZERO


@dataclass(frozen=True, slots=True)
class RuleFacts:
    key: int
    name: str
    condition: str
    threshold: Decimal
    group: str
    level: int
    currency: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    rule: RuleFacts
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Margin:
    """The quote's net over the term against the unit cost of its costed lines."""

    net: Decimal
    cost: Decimal
    uncosted_lines: int

    @property
    def percent(self) -> Decimal | None:
        return (self.net - self.cost) * HUNDRED / self.net if self.net else None


def margin_of(quote: QuoteFacts) -> Margin | None:
    """Margin over the lines with a unit cost in the quote's currency (None when none has)."""
    costed = [line for line in quote.lines if line.cost is not None]
    if not costed:
        return None
    return Margin(net=sum((line.net_amount for line in costed), ZERO),
                  cost=sum((line.cost for line in costed), ZERO),
                  uncosted_lines=len(quote.lines) - len(costed))


def percent_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}%"


def amount_text(value: Decimal, currency: str) -> str:
    return f"{round_money(value, currency):,} {currency}"


def given_away_text(given_away: Decimal, by_coupons: Decimal, currency: str) -> str:
    text = amount_text(given_away, currency)
    return f"{text} ({amount_text(by_coupons, currency)} by coupons)" if by_coupons else text


def margin_text(line: LineFacts, currency: str) -> str:
    cost = line.cost
    if cost is None:
        return "no unit cost on file"
    if not line.net_amount:
        return f"no revenue against a cost of {amount_text(cost, currency)}"
    margin = (line.net_amount - cost) * HUNDRED / line.net_amount
    return f"margin {percent_text(margin)} against unit cost"


def _line_discount(quote: QuoteFacts, rule: RuleFacts) -> list[str]:
    reasons = []
    for line in quote.lines:
        if line.discount_percent > rule.threshold:
            reasons.append(
                f"Line {line.position} {line.sku}: {percent_text(line.discount_percent)} off "
                f"(above {percent_text(rule.threshold)}), "
                f"{given_away_text(line.given_away, line.coupon_amount, quote.currency)} given "
                f"away over the term, "
                f"{margin_text(line, quote.currency)}.")
    return reasons


def _total_discount(quote: QuoteFacts, rule: RuleFacts) -> list[str]:
    if quote.discount_percent <= rule.threshold:
        return []
    return [f"Total discount {percent_text(quote.discount_percent)} "
            f"(above {percent_text(rule.threshold)}): "
            f"{given_away_text(quote.given_away, quote.coupon_total, quote.currency)} given "
            f"away over {quote.term_months} months."]


def _tcv_above(quote: QuoteFacts, rule: RuleFacts) -> list[str]:
    currency = rule.currency.upper() or quote.currency
    tcv = amount_text(quote.total_contract_value, quote.currency)
    if currency == quote.currency:
        if quote.total_contract_value <= rule.threshold:
            return []
        return [f"Total contract value {tcv} is above {amount_text(rule.threshold, currency)}."]
    rates = dict(quote.rates)
    day = quote.rates_on.isoformat() if quote.rates_on else "the quote's start"
    if quote.currency not in rates or currency not in rates:
        return [f"Total contract value {tcv} cannot be compared with "
                f"{amount_text(rule.threshold, currency)}: no exchange rate of {quote.currency} "
                f"or {currency} on {day} (add one on the Exchange rates page)."]
    converted = quote.total_contract_value * rates[quote.currency] / rates[currency]
    if converted <= rule.threshold:
        return []
    return [f"Total contract value {tcv} ({amount_text(converted, currency)} at the rates of "
            f"{day}) is above {amount_text(rule.threshold, currency)}."]


def _payment_terms(quote: QuoteFacts, rule: RuleFacts) -> list[str]:
    if quote.payment_terms_days <= rule.threshold:
        return []
    return [f"Payment terms {quote.payment_terms_name}: last amount due after "
            f"{quote.payment_terms_days} days (more than {rule.threshold.normalize():f})."]


def _share(amount: Decimal, quote: QuoteFacts) -> Decimal:
    return amount * HUNDRED / quote.total_contract_value if quote.total_contract_value else ZERO


def _first_year_cash(quote: QuoteFacts, rule: RuleFacts) -> list[str]:
    if quote.first_year_cash is None or not quote.total_contract_value:
        return []
    share = _share(quote.first_year_cash, quote)
    if share >= rule.threshold:
        return []
    return [f"Cash due in the first 12 months {amount_text(quote.first_year_cash, quote.currency)}"
            f" is {percent_text(share)} of the total contract value (below "
            f"{percent_text(rule.threshold)})."]


def _deferred_revenue(quote: QuoteFacts, rule: RuleFacts) -> list[str]:
    if quote.revenue_after_first_year is None:
        return []
    share = _share(quote.revenue_after_first_year, quote)
    if share <= rule.threshold:
        return []
    return [f"Revenue recognized after the first 12 months "
            f"{amount_text(quote.revenue_after_first_year, quote.currency)} is "
            f"{percent_text(share)} of the total contract value (above "
            f"{percent_text(rule.threshold)})."]


_CHECKS = {
    LINE_DISCOUNT: _line_discount,
    TOTAL_DISCOUNT: _total_discount,
    TCV_ABOVE: _tcv_above,
    PAYMENT_TERMS: _payment_terms,
    FIRST_YEAR_CASH: _first_year_cash,
    DEFERRED_REVENUE: _deferred_revenue,
}


def approval_hits(quote: QuoteFacts, rules: Sequence[RuleFacts]) -> list[Hit]:
    """Every rule the quote hits with its reasons, ordered by level then rule name."""
    hits = []
    for rule in sorted(rules, key=lambda r: (r.level, r.name, r.key)):
        reasons = _CHECKS[rule.condition](quote, rule)
        if reasons:
            hits.append(Hit(rule, tuple(f"{r} Rule: {rule.name}." for r in reasons)))
    return hits


def levels_of(hits: Sequence[Hit]) -> dict[tuple[int, str], list[Hit]]:
    """Hits grouped by (level, approver group): one approval request each."""
    grouped: dict[tuple[int, str], list[Hit]] = {}
    for hit in hits:
        grouped.setdefault((hit.rule.level, hit.rule.group), []).append(hit)
    return dict(sorted(grouped.items()))


def line_rules(quote: QuoteFacts, rules: Sequence[RuleFacts]) -> dict[int, list[RuleFacts]]:
    """The line-discount rules each line (by position) hits, for badges on the line itself;
    the same test as `approval_hits`, so a badge shows exactly when Submit would ask."""
    hits: dict[int, list[RuleFacts]] = {}
    for rule in sorted(rules, key=lambda r: (r.level, r.name, r.key)):
        if rule.condition != LINE_DISCOUNT:
            continue
        for line in quote.lines:
            if line.discount_percent > rule.threshold:
                hits.setdefault(line.position, []).append(rule)
    return hits
