"""The CPQ pricing engine: pure functions over Decimal and currency codes; no ORM.

Every later stage (quotes, amendments, invoices, usage rating, revenue allocation) prices
through these three layers, from a `PriceSpec`: the frozen snapshot a price book entry gives
(`PriceSpec.to_dict()` is what quotes and contracts store; `PriceSpec.from_dict()` reads it back).

    price_quantity(spec, quantity, *, basis=None) -> Decimal
        One quantity under one price model for one billing period, exact (never rounded).
    price_line(line: LineInput, *, basis=None) -> LinePrice
        Adds the term, the billing period and the discount: list, discount and net amounts per
        billing period and over the term (the net over the term is the total contract value).
    price_document(lines: Sequence[DocumentLine], currency) -> DocumentPrice
        Prices a whole quote: lines included in a bundle or parent are priced at zero, then
        percentage-of-other-lines lines are priced on the net of the lines they follow.

Price models (`PriceModel`), for a quantity q > 0 (any model prices q = 0 at zero):
    flat        unit_amount, whatever the quantity
    per_unit    q × unit_amount
    graduated   each tier prices the units that fall in it, plus its flat_amount if any unit does
    volume      the tier q reaches prices every unit: q × its unit_amount + its flat_amount
    package     ceil(q / package_size) × unit_amount (a partial block costs a whole block)
    percent     percent / 100 of the basis: the net per period of the other lines it follows
    transaction percent / 100 of each transaction's amount plus `fixed_fee` per transaction,
                each fee held between `transaction_minimum` and `transaction_maximum`; the
                first `free_transactions` carry no fixed fee (catalog.transaction_fees)

Allowances, blocks, minimum and cap (one billing period; see `price_breakdown`):
- `included_units` are free: the model prices the quantity above them (for `transaction`, the
  first amount of volume in the period is free of the percentage).
- A tier with a `block_size` charges whole blocks: ceil(units in the tier / block) × its
  unit_amount (the unit_amount is then the price of one block); a partial block costs a whole
  one. A package price charges at least `minimum_packages` packages.
- A tier's flat fee is charged when the tier is reached. At zero usage nothing is charged,
  unless `charge_at_zero`: then a flat price's fee, the first tier's flat fee, the minimum
  packages and the minimum charge apply to a period with no usage too (a first tier's flat fee
  is a base fee to some sellers and a usage charge to others: the price chooses).
- `minimum_amount` is a commitment per period: when the priced usage is below it (and something
  was used, or `charge_at_zero`), the difference is charged as a shortfall ("true-up"), reported
  on its own. `maximum_amount` caps the period's charge (never below the minimum).

How tiers are written: in a spec, each `Tier` gives the last quantity it covers (`up_to`,
inclusive) and the open-ended last tier has `up_to=None`; a tier covers the quantities above the
previous tier's `up_to`. People write tiers as ranges "from 1 (or 0) to 100, from 101 to 1000,
from 1001": `catalog.tiers.written_tier_errors` checks such rows (the first starts at 0 or 1,
each next starts at the previous end or one above it, only the last is open) and
`catalog.tiers.tiers_from_written` keeps the ends. Quantities may be fractional (gigabytes):
100.5 falls in the tier "from 101".

Rounding point (the only one): the list amount per billing period is rounded to the currency's
minor unit (core.money) by the spec's `rounding` (half-up: ties away from zero, symmetric for
negatives; or half-even, the price book's choice, see catalog.rounding), then the discount per
period is rounded; net per period = list − discount. A shortfall up to the minimum is the rounded
whole less the rounded usage, so the usage and its top-up lines add up to the period. The term
amounts are those rounded per-period amounts times the number of periods, so twelve months of a
monthly price is exactly twelve invoices. Only a term that is not a whole number of periods
(18 months billed annually = 1.5 periods) rounds its totals again. Unit rates may carry more
places than the currency. Documents add the rounded lines.

Worked example (API calls, graduated, monthly, for a 12-month term with 10% off):
>>> from decimal import Decimal as D
>>> spec = PriceSpec(model=PriceModel.GRADUATED, currency="USD",
...                  billing_period=BillingPeriod.MONTHLY,
...                  tiers=(Tier(up_to=D(1000), unit_amount=D("0.010")),
...                         Tier(up_to=None, unit_amount=D("0.0045"), flat_amount=D("2"))))
>>> price_quantity(spec, D(1500))          # 1000 × 0.010 + (500 × 0.0045 + 2)
Decimal('14.2500')
>>> p = price_line(LineInput(spec=spec, quantity=D(1500), term_months=12,
...                          discount_percent=D(10)))
>>> p.list_per_period, p.discount_per_period, p.amount_per_period
(Decimal('14.25'), Decimal('1.43'), Decimal('12.82'))
>>> p.list_amount, p.discount_amount, p.net_amount
(Decimal('171.00'), Decimal('17.16'), Decimal('153.84'))
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from catalog import transaction_fees
from catalog.rounding import RoundingMode
from core.money import round_money

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
SNAPSHOT_VERSION = 1


class PriceModel(StrEnum):
    FLAT = "flat"
    PER_UNIT = "per_unit"
    GRADUATED = "graduated"
    VOLUME = "volume"
    PACKAGE = "package"
    PERCENT = "percent"
    TRANSACTION = "transaction"


class BillingPeriod(StrEnum):
    ONE_TIME = "one_time"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"
    TERM = "term"  # the whole term, billed once (a multi-year deal paid up front)

    @property
    def months(self) -> Decimal:
        """Months in one period (a week is 12/52 of a month); 0 for one-time charges and for a
        term billed once, whose length is the term's."""
        return _PERIOD_MONTHS[self]

    @property
    def recurring(self) -> bool:
        return self is not BillingPeriod.ONE_TIME


_PERIOD_MONTHS = {
    BillingPeriod.ONE_TIME: Decimal(0), BillingPeriod.WEEKLY: Decimal(12) / Decimal(52),
    BillingPeriod.MONTHLY: Decimal(1), BillingPeriod.QUARTERLY: Decimal(3),
    BillingPeriod.SEMI_ANNUAL: Decimal(6), BillingPeriod.ANNUAL: Decimal(12),
    BillingPeriod.TERM: Decimal(0),
}
TIERED_MODELS = frozenset({PriceModel.GRADUATED, PriceModel.VOLUME})


@dataclass(frozen=True, slots=True)
class Tier:
    up_to: Decimal | None
    unit_amount: Decimal
    flat_amount: Decimal = ZERO
    block_size: Decimal | None = None  # units per block; unit_amount is then per block

    def units_amount(self, units: Decimal) -> Decimal:
        """The unit part of this tier's charge for `units` (whole blocks when it has blocks)."""
        if self.block_size is None:
            return units * self.unit_amount
        return (units / self.block_size).to_integral_value(rounding=ROUND_CEILING) \
            * self.unit_amount


@dataclass(frozen=True, slots=True)
class PriceSpec:
    """One price model with its numbers: what a price book entry snapshots."""

    model: PriceModel
    currency: str
    billing_period: BillingPeriod = BillingPeriod.ONE_TIME
    unit_amount: Decimal = ZERO
    tiers: tuple[Tier, ...] = ()
    package_size: Decimal | None = None
    minimum_amount: Decimal = ZERO
    percent: Decimal = ZERO
    percent_basis: frozenset[str] = frozenset()
    included_units: Decimal = ZERO
    maximum_amount: Decimal | None = None
    minimum_packages: Decimal = ZERO
    charge_at_zero: bool = False
    transaction: transaction_fees.TransactionTerms = transaction_fees.NO_TERMS
    rounding: RoundingMode = RoundingMode.HALF_UP

    def __post_init__(self):
        object.__setattr__(self, "model", PriceModel(self.model))
        object.__setattr__(self, "billing_period", BillingPeriod(self.billing_period))
        object.__setattr__(self, "currency", self.currency.upper())
        object.__setattr__(self, "rounding", RoundingMode(self.rounding))
        errors = spec_errors(self)
        if errors:
            raise ValueError("; ".join(errors))

    def to_dict(self) -> dict:
        """Plain JSON-ready data, the form quotes and contracts store (see `snapshot_data`)."""
        return snapshot_data(
            model=self.model, currency=self.currency, billing_period=self.billing_period,
            unit_amount=self.unit_amount, tiers=self.tiers, package_size=self.package_size,
            minimum_amount=self.minimum_amount, percent=self.percent,
            percent_basis=self.percent_basis, included_units=self.included_units,
            maximum_amount=self.maximum_amount, minimum_packages=self.minimum_packages,
            charge_at_zero=self.charge_at_zero, transaction=self.transaction,
            rounding=self.rounding)

    @classmethod
    def from_dict(cls, data: Mapping) -> "PriceSpec":
        """Read a stored snapshot back; keys it does not know (such as `source`) are ignored."""
        if data.get("version", SNAPSHOT_VERSION) != SNAPSHOT_VERSION:
            raise ValueError(f"unknown price snapshot version {data.get('version')}")
        package_size = data.get("package_size")
        return cls(
            model=PriceModel(data["model"]),
            currency=data["currency"],
            billing_period=BillingPeriod(data.get("billing_period", BillingPeriod.ONE_TIME)),
            unit_amount=Decimal(data.get("unit_amount", "0")),
            tiers=tuple(
                Tier(up_to=_optional(t.get("up_to")), unit_amount=Decimal(t["unit_amount"]),
                     flat_amount=Decimal(t.get("flat_amount", "0")),
                     block_size=_optional(t.get("block_size")))
                for t in data.get("tiers", ())
            ),
            package_size=_optional(package_size),
            minimum_amount=Decimal(data.get("minimum_amount", "0")),
            percent=Decimal(data.get("percent", "0")),
            percent_basis=frozenset(data.get("percent_basis", ())),
            included_units=Decimal(data.get("included_units", "0")),
            maximum_amount=_optional(data.get("maximum_amount")),
            minimum_packages=Decimal(data.get("minimum_packages", "0")),
            charge_at_zero=bool(data.get("charge_at_zero", False)),
            transaction=transaction_fees.TransactionTerms.from_dict(data.get("transaction", {})),
            rounding=RoundingMode(data.get("rounding", RoundingMode.HALF_UP)),
        )


def _optional(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as the shortest plain text ("25", "0.0045"), so equal prices read equal."""
    return None if value is None else format(value.normalize(), "f")


def snapshot_data(*, model, currency, billing_period, unit_amount, tiers, package_size,
                  minimum_amount, percent, percent_basis, included_units=ZERO,
                  maximum_amount=None, minimum_packages=ZERO, charge_at_zero=False,
                  transaction=transaction_fees.NO_TERMS,
                  rounding=RoundingMode.HALF_UP) -> dict:
    """The snapshot format: every amount as plain decimal text, tiers by their `up_to`.

    The options added in December 2026 (allowances, cap, blocks, transaction fees, rounding)
    are written only when they differ from their defaults, so a snapshot of a price that uses
    none of them reads exactly as before and needs no new version."""
    data = {
        "version": SNAPSHOT_VERSION,
        "model": str(model),
        "currency": currency,
        "billing_period": str(billing_period),
        "unit_amount": decimal_text(unit_amount),
        "tiers": [_tier_data(t) for t in tiers],
        "package_size": decimal_text(package_size),
        "minimum_amount": decimal_text(minimum_amount),
        "percent": decimal_text(percent),
        "percent_basis": sorted(percent_basis),
    }
    if included_units:
        data["included_units"] = decimal_text(included_units)
    if maximum_amount is not None:
        data["maximum_amount"] = decimal_text(maximum_amount)
    if minimum_packages:
        data["minimum_packages"] = decimal_text(minimum_packages)
    if charge_at_zero:
        data["charge_at_zero"] = True
    if transaction != transaction_fees.NO_TERMS:
        data["transaction"] = transaction.to_dict()
    if RoundingMode(rounding) is not RoundingMode.HALF_UP:
        data["rounding"] = str(rounding)
    return data


def _tier_data(tier: Tier) -> dict:
    data = {"up_to": decimal_text(tier.up_to), "unit_amount": decimal_text(tier.unit_amount),
            "flat_amount": decimal_text(tier.flat_amount)}
    if tier.block_size is not None:
        data["block_size"] = decimal_text(tier.block_size)
    return data


def spec_errors(spec: PriceSpec) -> list[str]:
    """Every reason the spec cannot price, as readable messages (empty when it can)."""
    errors = []
    if min(spec.unit_amount, spec.minimum_amount, spec.percent, spec.included_units,
           spec.minimum_packages) < 0:
        errors.append("Amounts, units and percentages cannot be negative.")
    if spec.maximum_amount is not None and spec.maximum_amount < spec.minimum_amount:
        errors.append("The maximum per period cannot be below the minimum.")
    if spec.model in TIERED_MODELS:
        errors.extend(tier_errors(spec.tiers))
    elif spec.tiers:
        errors.append(f"A {spec.model} price has no tiers.")
    if spec.model is PriceModel.PACKAGE and (spec.package_size is None or spec.package_size <= 0):
        errors.append("The package size must be greater than zero.")
    if spec.model is not PriceModel.PACKAGE and spec.minimum_packages:
        errors.append("Only package prices have a minimum number of packages.")
    if spec.model is PriceModel.TRANSACTION:
        errors.extend(spec.transaction.errors())
    elif spec.transaction != transaction_fees.NO_TERMS:
        errors.append("Only transaction prices have transaction fees.")
    return errors


def tier_errors(tiers: Sequence[Tier]) -> list[str]:
    """Tiers must rise strictly, only the last may be open-ended, and amounts are not negative."""
    if not tiers:
        return ["Tiered prices need at least one tier."]
    errors = []
    previous = ZERO
    for number, tier in enumerate(tiers, start=1):
        if tier.unit_amount < 0 or tier.flat_amount < 0:
            errors.append(f"Tier {number}: amounts cannot be negative.")
        if tier.block_size is not None and tier.block_size <= 0:
            errors.append(f"Tier {number}: the block size must be greater than zero.")
        if tier.up_to is None:
            if number != len(tiers):
                errors.append(f"Tier {number}: only the last tier can be open-ended.")
            continue
        if tier.up_to <= previous:
            errors.append(f"Tier {number}: it must end above {previous}.")
        previous = tier.up_to
    if tiers[-1].up_to is not None:
        errors.append("The last tier must be open-ended (no upper bound).")
    return errors


@dataclass(frozen=True, slots=True)
class TierCharge:
    tier: int  # 1-based
    quantity: Decimal
    amount: Decimal


def tier_charges(spec: PriceSpec, quantity: Decimal) -> tuple[TierCharge, ...]:
    """What each graduated tier charges for `quantity` (only tiers that some unit reaches; at
    zero, the first tier's flat fee when the price charges at zero)."""
    if spec.model is not PriceModel.GRADUATED:
        raise ValueError("tier charges exist for graduated prices only")
    _check_quantity(quantity)
    if quantity == 0:
        first = spec.tiers[0]
        return (TierCharge(1, ZERO, first.flat_amount),) if spec.charge_at_zero else ()
    charges = []
    below = ZERO
    for number, tier in enumerate(spec.tiers, start=1):
        if quantity <= below:
            break
        top = quantity if tier.up_to is None else min(quantity, tier.up_to)
        units = top - below
        charges.append(TierCharge(number, units, tier.units_amount(units) + tier.flat_amount))
        below = top if tier.up_to is None else tier.up_to
    return tuple(charges)


def volume_tier(tiers: Sequence[Tier], quantity: Decimal) -> Tier:
    """The tier a quantity reaches: the first whose `up_to` is at or above it."""
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return tier
    raise ValueError("tiers must end with an open-ended tier")


def _check_quantity(quantity: Decimal) -> None:
    if quantity < 0:
        raise ValueError("quantity cannot be negative")


@dataclass(frozen=True, slots=True)
class QuantityPrice:
    """One period's exact charge in its parts: the usage priced by the model, the shortfall up
    to the minimum (billed as its own line) and what the cap took off."""

    billable_quantity: Decimal  # the quantity above the included units
    usage_amount: Decimal
    shortfall: Decimal = ZERO
    capped: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return self.usage_amount + self.shortfall - self.capped


def price_breakdown(spec: PriceSpec, quantity: Decimal, *, basis: Decimal | None = None,
                    transactions: Sequence[Decimal] | None = None) -> QuantityPrice:
    """The exact, unrounded charge of `quantity` under `spec` for one billing period, in parts.

    `transactions` are the amounts of a transaction price's events in the period (their sum is
    the quantity); without them a transaction price can only charge its percentage."""
    _check_quantity(quantity)
    if spec.model is PriceModel.TRANSACTION:
        usage = transaction_fees.period_fee(
            spec.percent, spec.transaction, quantity if transactions is None else None,
            transactions, free_amount=spec.included_units)
        billable = max(quantity - spec.included_units, ZERO)
    else:
        billable = max(quantity - spec.included_units, ZERO)
        usage = _model_amount(spec, billable, basis) if quantity or spec.charge_at_zero else ZERO
    charged = quantity > 0 or spec.charge_at_zero
    shortfall = max(spec.minimum_amount - usage, ZERO) if charged else ZERO
    total = usage + shortfall
    capped = ZERO if spec.maximum_amount is None else max(total - spec.maximum_amount, ZERO)
    return QuantityPrice(billable, usage, shortfall, capped)


def _model_amount(spec: PriceSpec, billable: Decimal, basis: Decimal | None) -> Decimal:
    """What the model charges for the billable quantity (zero only when the model says so)."""
    model = spec.model
    if model is PriceModel.PER_UNIT:
        return billable * spec.unit_amount
    if model is PriceModel.FLAT:
        return spec.unit_amount
    if model is PriceModel.GRADUATED:
        return sum((c.amount for c in tier_charges(spec, billable)), ZERO)
    if model is PriceModel.VOLUME:
        if billable == 0:
            return spec.tiers[0].flat_amount if spec.charge_at_zero else ZERO
        tier = volume_tier(spec.tiers, billable)
        return tier.units_amount(billable) + tier.flat_amount
    if model is PriceModel.PACKAGE:
        blocks = (billable / spec.package_size).to_integral_value(rounding=ROUND_CEILING)
        return max(blocks, spec.minimum_packages) * spec.unit_amount
    if basis is None:
        raise ValueError("a percentage price needs the basis it follows (see price_document)")
    return basis * spec.percent / HUNDRED


def price_quantity(spec: PriceSpec, quantity: Decimal, *, basis: Decimal | None = None) -> Decimal:
    """The exact, unrounded price of `quantity` under `spec` for one billing period."""
    return price_breakdown(spec, quantity, basis=basis).amount


@dataclass(frozen=True, slots=True)
class LineInput:
    """One quote line to price: a spec, a quantity, a term and at most one kind of discount.

    `term_months` is the length of a recurring line (None: one billing period); one-time lines
    ignore it. `discount_amount` comes off each billing period's list amount.
    """

    spec: PriceSpec
    quantity: Decimal = ONE
    term_months: int | None = None
    discount_percent: Decimal = ZERO
    discount_amount: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class LinePrice:
    currency: str
    billing_period: BillingPeriod
    periods: Decimal
    list_per_period: Decimal
    discount_per_period: Decimal
    amount_per_period: Decimal
    list_amount: Decimal
    discount_amount: Decimal
    net_amount: Decimal
    shortfall_per_period: Decimal = ZERO  # the part of list_per_period that tops up a minimum
    capped_per_period: Decimal = ZERO  # what the cap took off the usage priced this period

    @property
    def total_contract_value(self) -> Decimal:
        return self.net_amount


def periods_in_term(period: BillingPeriod, term_months: int | None) -> Decimal:
    """How many billing periods a term holds (1 for one-time charges or no term)."""
    if not period.recurring or term_months is None or period is BillingPeriod.TERM:
        return ONE
    if term_months <= 0:
        raise ValueError("a term must be at least one month")
    if period is BillingPeriod.WEEKLY:  # 52 weeks a year
        periods = Decimal(term_months * 52) / Decimal(12)
    else:
        periods = Decimal(term_months) / period.months
    return periods.to_integral_value() if periods == periods.to_integral_value() else periods


def price_line(line: LineInput, *, basis: Decimal | None = None,
               transactions: Sequence[Decimal] | None = None) -> LinePrice:
    """List, discount and net per period and over the term, rounded once per period amount."""
    spec = line.spec
    if line.discount_percent and line.discount_amount:
        raise ValueError("give a discount percent or a discount amount, not both")
    if not ZERO <= line.discount_percent <= HUNDRED:
        raise ValueError("a discount percent is between 0 and 100")
    if line.discount_amount < 0:
        raise ValueError("a discount amount cannot be negative")
    currency, mode = spec.currency, spec.rounding.decimal
    periods = periods_in_term(spec.billing_period, line.term_months)
    parts = price_breakdown(spec, line.quantity, basis=basis, transactions=transactions)
    list_pp = round_money(parts.amount, currency, mode)
    # the shortfall line (and what a cap took off) is the difference of the rounded whole and
    # the rounded usage, so usage, top-up and cap add up to the period's amount
    usage_pp = round_money(parts.usage_amount, currency, mode)
    zero = round_money(ZERO, currency)
    shortfall_pp = list_pp - usage_pp if parts.shortfall else zero
    capped_pp = usage_pp - list_pp if parts.capped else zero
    if line.discount_percent:
        discount_pp = round_money(list_pp * line.discount_percent / HUNDRED, currency, mode)
    else:
        discount_pp = min(round_money(line.discount_amount, currency, mode), list_pp)
    net_pp = list_pp - discount_pp
    if periods == periods.to_integral_value():
        list_total, net_total = list_pp * periods, net_pp * periods
    else:  # a part period: the term totals are rounded once more
        list_total = round_money(list_pp * periods, currency, mode)
        net_total = round_money(net_pp * periods, currency, mode)
    return LinePrice(currency, spec.billing_period, periods, list_pp, discount_pp, net_pp,
                     list_total, list_total - net_total, net_total, shortfall_pp, capped_pp)


def _zero_price(spec: PriceSpec, term_months: int | None) -> LinePrice:
    zero = round_money(ZERO, spec.currency)
    periods = periods_in_term(spec.billing_period, term_months)
    return LinePrice(spec.currency, spec.billing_period, periods, *([zero] * 6))


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """A line of a whole quote. `tags` are what percentage lines select on ("kind:subscription",
    "family:Platform", "sku:API-CALLS"); `included_in` names the line (a bundle or configured
    parent) whose price already includes this one, which is then priced at zero."""

    key: str
    line: LineInput
    tags: frozenset[str] = frozenset()
    included_in: str | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    key: str
    price: LinePrice
    included: bool = False
    basis_per_period: Decimal | None = None


@dataclass(frozen=True)
class DocumentPrice:
    currency: str
    lines: tuple[PricedLine, ...]
    list_amount: Decimal
    discount_amount: Decimal
    net_amount: Decimal
    one_time_amount: Decimal
    recurring_per_period: dict[BillingPeriod, Decimal] = field(default_factory=dict)

    def line(self, key: str) -> PricedLine:
        return next(p for p in self.lines if p.key == key)


def percent_basis(spec: PriceSpec, priced: Sequence[tuple[DocumentLine, LinePrice]]) -> Decimal:
    """What a percentage line follows: for a recurring line, the net per period of the matching
    recurring lines restated to its own period (monthly 100 is 1,200 a year); for a one-time
    line, the matching lines' net over their terms. A line matches when it has every basis tag."""
    wanted = spec.percent_basis
    months = spec.billing_period.months
    total = ZERO
    for doc_line, price in priced:
        if wanted and not wanted <= doc_line.tags:
            continue
        if not months:
            total += price.net_amount
        elif price.billing_period.recurring:
            total += price.amount_per_period * months / price.billing_period.months
    return total


def price_document(lines: Sequence[DocumentLine], currency: str) -> DocumentPrice:
    """Price every line of a quote: inclusions at zero, percentages on the lines they follow."""
    currency = currency.upper()
    _check_document(lines, currency)
    priced: dict[str, LinePrice] = {}
    basis_lines = []
    for doc_line in lines:
        spec = doc_line.line.spec
        if spec.model is PriceModel.PERCENT:
            continue
        if doc_line.included_in is not None:
            price = _zero_price(spec, doc_line.line.term_months)
        else:
            price = price_line(doc_line.line)
        priced[doc_line.key] = price
        basis_lines.append((doc_line, price))

    bases: dict[tuple, Decimal] = {}
    basis_of: dict[str, Decimal] = {}
    for doc_line in lines:
        spec = doc_line.line.spec
        if spec.model is not PriceModel.PERCENT:
            continue
        cache_key = (spec.percent_basis, spec.billing_period)
        if cache_key not in bases:
            bases[cache_key] = percent_basis(spec, basis_lines)
        basis_of[doc_line.key] = bases[cache_key]
        if doc_line.included_in is not None:
            priced[doc_line.key] = _zero_price(spec, doc_line.line.term_months)
        else:
            priced[doc_line.key] = price_line(doc_line.line, basis=bases[cache_key])
    return _document_totals(lines, priced, basis_of, currency)


def _check_document(lines: Sequence[DocumentLine], currency: str) -> None:
    keys = [doc_line.key for doc_line in lines]
    if len(set(keys)) != len(keys):
        raise ValueError("line keys must be unique")
    known = set(keys)
    for doc_line in lines:
        if doc_line.line.spec.currency != currency:
            raise ValueError(f"line {doc_line.key} is priced in {doc_line.line.spec.currency}, "
                             f"not {currency}")
        if doc_line.included_in is not None and (
                doc_line.included_in not in known or doc_line.included_in == doc_line.key):
            raise ValueError(f"line {doc_line.key} is included in unknown line "
                             f"{doc_line.included_in}")


def _document_totals(lines, priced, basis_of, currency) -> DocumentPrice:
    zero = round_money(ZERO, currency)
    list_total = discount_total = net_total = one_time = zero
    recurring: dict[BillingPeriod, Decimal] = {}
    out = []
    for doc_line in lines:
        price = priced[doc_line.key]
        out.append(PricedLine(doc_line.key, price, doc_line.included_in is not None,
                              basis_of.get(doc_line.key)))
        list_total += price.list_amount
        discount_total += price.discount_amount
        net_total += price.net_amount
        if price.billing_period.recurring:
            recurring[price.billing_period] = (
                recurring.get(price.billing_period, zero) + price.amount_per_period)
        else:
            one_time += price.net_amount
    return DocumentPrice(currency, tuple(out), list_total, discount_total, net_total, one_time,
                         recurring)
