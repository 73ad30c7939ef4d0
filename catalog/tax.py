"""Sales tax and VAT for a line or a document: pure, over Decimal and currency codes; no ORM.

    applicable_rates(records, *, country, region="", category=None, on) -> tuple[TaxRate, ...]
    tax_line(line: TaxLine, currency, *, inclusive=False, exempt=False) -> LineTax
    tax_document(lines, currency, *, inclusive=False, exempt=False,
                 rounding=TaxRounding.PER_LINE, mode=ROUND_HALF_UP,
                 inclusive_rounding=InclusiveRounding.TAX_FIRST) -> DocumentTax

Several taxes on one line apply in their given order: a side-by-side tax is charged on the net
amount; a compound tax on the net plus the taxes before it (Quebec's QST on top of GST used to
be). Together they make one factor F = 1 + (sum of each tax's share of the net).
- Exclusive prices: the line amount is the net; tax = net × (F − 1).
- Inclusive prices (a price book that includes tax): the line amount is the gross; the tax is
  extracted, net = gross / F, so exclusive-then-inclusive round-trips exactly.
- Exempt customers pay no tax; with inclusive prices they pay the extracted net.

Rounding, to the currency's minor unit through core.money:
- PER_LINE: each line's total tax is rounded once, then split between its taxes by largest
  remainder (so a line's taxes add up to its tax).
- PER_DOCUMENT: each tax (name and rate) is summed exactly over the document and rounded once,
  then split between the lines by largest remainder: the lines' taxes add up to the document's
  tax, and no odd minor unit is lost between lines.
An early-payment discount taxed "always, upon invoice" (`early_discount`, a percent; Odoo's
"Cash Discount Tax Reduction: Always"): each tax is charged on the net less the discount, whether
the customer pays early or not, while the line keeps its full net (Odoo: 100 at 21% with 2%
off is tax 20.58). Exclusive prices only.
Tax-inclusive prices (`inclusive_rounding`): the gross is given, so rounding one of net and tax
decides the other. TAX_FIRST rounds the extracted tax and leaves the net as the rest; NET_FIRST
rounds the net (gross / F) and leaves the tax as the rest (Zuora's default, "Rounding Net
Amount"; Dynamics NAV's rule for amounts including VAT). Both round the same whole (a line, or a
tax across the document) as above: the rounded tax is round(N + T) − round(N) for the whole's
exact net N and tax T, which is round(T) whenever N is already rounded, so exclusive prices
never depend on it. Off a tie, both give the same figures.
A tie (exactly half a minor unit) is broken by `mode`, the `decimal` constant of the price book's
rounding mode (catalog.rounding): ROUND_HALF_UP, away from zero for credits too, or
ROUND_HALF_EVEN; only the rounding of a whole changes, never the split.

>>> from decimal import Decimal as D
>>> vat = (TaxRate("VAT", D(20)),)
>>> tax_line(TaxLine("a", D("10.00"), vat), "GBP").tax
Decimal('2.00')
>>> doc = tax_document([TaxLine(k, D("0.10"), (TaxRate("VAT", D(5)),)) for k in "abc"], "GBP",
...                    rounding=TaxRounding.PER_DOCUMENT)
>>> doc.tax, [line.tax for line in doc.lines]       # 3 × 0.005 = 0.015 → 0.02, not 3 × 0.01
(Decimal('0.02'), [Decimal('0.01'), Decimal('0.01'), Decimal('0.00')])
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from core.money import allocate, round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class TaxRounding(StrEnum):
    PER_LINE = "per_line"
    PER_DOCUMENT = "per_document"


class InclusiveRounding(StrEnum):
    TAX_FIRST = "tax_first"  # the tax is rounded, the net is the rest
    NET_FIRST = "net_first"  # the net is rounded, the tax is the rest


@dataclass(frozen=True, slots=True)
class TaxRate:
    name: str
    percent: Decimal
    compound: bool = False
    # A fixed amount per unit in `currency` instead of a percent (a levy: Odoo's
    # amount_type="fixed", ERPNext's "On Item Quantity"); `affects_base`: the taxes after it
    # are charged on the net plus it (Odoo's include_base_amount, "Affect Base of Subsequent
    # Taxes").
    per_unit: Decimal | None = None
    currency: str = ""
    affects_base: bool = False

    @property
    def key(self) -> tuple[str, Decimal]:
        return (self.name, self.percent)

    @property
    def fixed(self) -> bool:
        return self.per_unit is not None


@dataclass(frozen=True, slots=True)
class TaxRateRecord:
    """A stored rate with where and when it applies; category None applies to every category."""

    name: str
    percent: Decimal
    country: str
    effective_from: date
    region: str = ""
    category: str | None = None
    compound: bool = False
    sequence: int = 0
    effective_to: date | None = None
    per_unit: Decimal | None = None
    currency: str = ""
    affects_base: bool = False

    def applies(self, *, country: str, region: str, category: str | None, on: date) -> bool:
        return (self.country == country.upper()
                and self.region in ("", region.upper())
                and self.category in (None, category)
                and self.effective_from <= on
                and (self.effective_to is None or on <= self.effective_to))


def applicable_rates(records: Iterable[TaxRateRecord], *, country: str, region: str = "",
                     category: str | None = None, on: date) -> tuple[TaxRate, ...]:
    """The taxes due on a product of `category` sold into country/region on a date, in order.

    Country-wide and regional rates both apply (GST and PST). For the same tax name and scope,
    a rate for the product's category replaces the general one (UK VAT 0% on books).
    """
    chosen: dict[tuple[str, str], TaxRateRecord] = {}
    for record in records:
        if not record.applies(country=country, region=region, category=category, on=on):
            continue
        scope = (record.name, record.region)
        current = chosen.get(scope)
        if current is None or (current.category is None and record.category is not None):
            chosen[scope] = record
    ordered = sorted(chosen.values(), key=lambda r: (r.sequence, r.region != "", r.name))
    return tuple(TaxRate(r.name, r.percent, r.compound, r.per_unit, r.currency, r.affects_base)
                 for r in ordered)


@dataclass(frozen=True, slots=True)
class TaxLine:
    key: str
    amount: Decimal
    rates: tuple[TaxRate, ...] = ()
    quantity: Decimal = Decimal(1)  # what a levy per unit multiplies


@dataclass(frozen=True, slots=True)
class TaxAmount:
    name: str
    percent: Decimal
    amount: Decimal
    per_unit: Decimal | None = None  # a levy's amount per unit
    base: Decimal | None = None  # what it is charged on, when not the line's net (a levy in it)


@dataclass(frozen=True, slots=True)
class LineTax:
    key: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    taxes: tuple[TaxAmount, ...]


@dataclass(frozen=True)
class DocumentTax:
    currency: str
    lines: tuple[LineTax, ...]
    net: Decimal
    tax: Decimal
    gross: Decimal
    taxes: tuple[TaxAmount, ...]


def tax_shares(rates: Sequence[TaxRate]) -> list[Decimal]:
    """Each tax as a share of the net amount, compounding in order (a levy's share is 0)."""
    return [share for share, _, _ in _terms(rates, Decimal(1), "")]


def levy(rate: TaxRate, quantity: Decimal, currency: str) -> Decimal:
    """A levy per unit on a quantity: the amount × the quantity, rounded once to the currency.

    >>> levy(TaxRate("Container levy", Decimal(0), per_unit=Decimal("0.25"), currency="EUR"),
    ...      Decimal(12), "EUR")
    Decimal('3.00')
    """
    if rate.currency and rate.currency != currency:
        raise ValueError(f"{rate.name} is {rate.per_unit} {rate.currency} per unit: it cannot "
                         f"be charged in {currency}")
    return round_money(rate.per_unit * quantity, currency)


def _terms(rates: Sequence[TaxRate], quantity: Decimal, currency: str
           ) -> list[tuple[Decimal, Decimal, Decimal]]:
    """Each tax as (share of the net, fixed part, fixed part of its base): a tax is share × net
    + fixed. A levy is all fixed (rounded once); a percentage is charged on the net plus the
    taxes before it that are compound with it or affect the base of those after them."""
    terms: list[tuple[Decimal, Decimal, Decimal]] = []
    for rate in rates:
        if rate.fixed:
            terms.append((ZERO, levy(rate, quantity, currency), ZERO))
            continue
        share, fixed = Decimal(1), ZERO
        for earlier, (e_share, e_fixed, _) in zip(rates, terms, strict=False):
            if rate.compound or earlier.affects_base:
                share, fixed = share + e_share, fixed + e_fixed
        terms.append((share * rate.percent / HUNDRED, fixed * rate.percent / HUNDRED, fixed))
    return terms


def _line_terms(line: TaxLine, currency: str) -> list[tuple[Decimal, Decimal, Decimal]]:
    """The line's `_terms`, once its amount is checked to be rounded to the currency."""
    if round_money(line.amount, currency) != line.amount:
        raise ValueError(f"line {line.key}: {line.amount} is not rounded to {currency}")
    return _terms(line.rates, line.quantity, currency)


def _exact_net(line: TaxLine, terms, inclusive: bool) -> Decimal:
    if not inclusive:
        return line.amount
    return ((line.amount - sum((fixed for _, fixed, _ in terms), ZERO))
            / (1 + sum((share for share, _, _ in terms), ZERO)))


def _exact_taxes(terms, net: Decimal, early_discount: Decimal = ZERO) -> list[Decimal]:
    base = net * (HUNDRED - early_discount) / HUNDRED if early_discount else net
    return [base * share + fixed for share, fixed, _ in terms]


def _check_discount(early_discount: Decimal, inclusive: bool) -> None:
    if early_discount and inclusive:
        raise ValueError("an early-payment discount reduces the tax of exclusive prices only")
    if not ZERO <= early_discount < HUNDRED:
        raise ValueError(f"an early-payment discount of {early_discount}% is not a percent")


def _rounded_tax(tax: Decimal, net: Decimal, currency: str, mode: str,
                 inclusive_rounding: InclusiveRounding) -> Decimal:
    """A whole's tax rounded once: itself, or as what is left of the rounded gross once the
    net is rounded."""
    if inclusive_rounding is InclusiveRounding.NET_FIRST:
        return (round_money(net + tax, currency, rounding=mode)
                - round_money(net, currency, rounding=mode))
    return round_money(tax, currency, rounding=mode)


def _split(total: Decimal, exact: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split a rounded total in proportion to exact parts of one sign (largest remainder). A
    single part, a line's one tax as most are, is the total, a zero unsigned as `allocate`
    gives it (a credit's -0.004 of tax is "0.00", not "-0.00")."""
    if not exact:
        return []
    if len(exact) == 1:
        return [total if total else abs(total)]
    return allocate(total, [abs(part) for part in exact], currency)


def _line_result(line, parts, terms, currency, inclusive, exempt) -> LineTax:
    amount = line.amount
    tax = sum(parts, round_money(ZERO, currency))
    if inclusive:
        net = amount - tax
        gross = net if exempt else amount
    else:
        net = amount
        gross = amount if exempt else amount + tax
    if exempt:
        return LineTax(line.key, net, round_money(ZERO, currency), gross, ())
    taxes = tuple(TaxAmount(r.name, r.percent, p, r.per_unit,
                            _base(net, t[2], currency) if r.percent and t[2] else None)
                  for r, p, t in zip(line.rates, parts, terms, strict=True))
    return LineTax(line.key, net, tax, gross, taxes)


def _base(net: Decimal, fixed: Decimal, currency: str) -> Decimal:
    """A percentage's base with the levies in it (an exempt line's taxes need none)."""
    return round_money(net + fixed, currency)


def tax_line(line: TaxLine, currency: str, *, inclusive: bool = False,
             exempt: bool = False, mode: str = ROUND_HALF_UP,
             inclusive_rounding: InclusiveRounding = InclusiveRounding.TAX_FIRST,
             early_discount: Decimal = ZERO) -> LineTax:
    """One line's taxes, its total tax rounded once and split between its taxes."""
    _check_discount(early_discount, inclusive)
    terms = _line_terms(line, currency)
    net = _exact_net(line, terms, inclusive)
    exact = _exact_taxes(terms, net, early_discount)
    # levies are rounded already (once each); the percentages' total is rounded once and split
    percents = [part for rate, part in zip(line.rates, exact, strict=True) if not rate.fixed]
    total = _rounded_tax(sum(percents, ZERO), net, currency, mode,
                         InclusiveRounding(inclusive_rounding))
    split = iter(_split(total, percents, currency))
    parts = [part if rate.fixed else next(split)
             for rate, part in zip(line.rates, exact, strict=True)]
    return _line_result(line, parts, terms, currency, inclusive, exempt)


def tax_document(lines: Sequence[TaxLine], currency: str, *, inclusive: bool = False,
                 exempt: bool = False, rounding: TaxRounding = TaxRounding.PER_LINE,
                 mode: str = ROUND_HALF_UP,
                 inclusive_rounding: InclusiveRounding = InclusiveRounding.TAX_FIRST,
                 early_discount: Decimal = ZERO) -> DocumentTax:
    """Every line's taxes and the document's totals; lines always add up to the document."""
    _check_discount(early_discount, inclusive)
    if TaxRounding(rounding) is TaxRounding.PER_LINE:
        results = [tax_line(line, currency, inclusive=inclusive, exempt=exempt, mode=mode,
                            inclusive_rounding=inclusive_rounding,
                            early_discount=early_discount) for line in lines]
    else:
        results = _per_document(lines, currency, inclusive, exempt, mode,
                                InclusiveRounding(inclusive_rounding), early_discount)
    return _document(results, currency)


def _per_document(lines, currency, inclusive, exempt, mode, inclusive_rounding,
                  early_discount=ZERO) -> list[LineTax]:
    terms = [_line_terms(line, currency) for line in lines]
    nets = [_exact_net(line, t, inclusive) for line, t in zip(lines, terms, strict=True)]
    exact = [_exact_taxes(t, net, early_discount) for t, net in zip(terms, nets, strict=True)]
    # Each (tax, sign) group is rounded once and split between its lines; a levy is each
    # line's own, rounded once already.
    groups: dict[tuple, list[tuple[int, int]]] = {}
    parts = [list(taxes) for taxes in exact]
    for i, line in enumerate(lines):
        for j, rate in enumerate(line.rates):
            if not rate.fixed:
                groups.setdefault((rate.key, exact[i][j] < 0), []).append((i, j))
    for members in groups.values():
        amounts = [exact[i][j] for i, j in members]
        total = _rounded_tax(sum(amounts, ZERO), sum((nets[i] for i, _ in members), ZERO),
                             currency, mode, inclusive_rounding)
        for (i, j), share in zip(members, _split(total, amounts, currency), strict=True):
            parts[i][j] = share
    return [_line_result(line, parts[i], terms[i], currency, inclusive, exempt)
            for i, line in enumerate(lines)]


def _document(results: list[LineTax], currency: str) -> DocumentTax:
    zero = round_money(ZERO, currency)
    totals: dict[tuple[str, Decimal, Decimal | None], Decimal] = {}
    for result in results:
        for t in result.taxes:
            key = (t.name, t.percent, t.per_unit)
            totals[key] = totals.get(key, zero) + t.amount
    return DocumentTax(
        currency, tuple(results),
        net=sum((r.net for r in results), zero),
        tax=sum((r.tax for r in results), zero),
        gross=sum((r.gross for r in results), zero),
        taxes=tuple(TaxAmount(name, percent, amount, per_unit)
                    for (name, percent, per_unit), amount in totals.items()),
    )


# ---------------------------------------------------------------------------------------------
# EU VAT treatment: which VAT applies to a supply, decided from the seller and the buyer.
#
# Articles are those of Council Directive 2006/112/EC (the VAT directive). Categories are the
# UNCL 5305 codes EN 16931 uses (BT-151), exemption codes the CEF VATEX list (BT-121).
# ---------------------------------------------------------------------------------------------

EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})


class VatCategory(StrEnum):
    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


class Supply(StrEnum):
    """What is sold, as the place-of-supply rules see it."""

    GOODS = "goods"
    SERVICES = "services"
    # Telecommunications, broadcasting and electronically supplied services (Art. 58), which
    # include software as a service: taxed where the consumer is, through the One-Stop Shop.
    DIGITAL = "digital"


@dataclass(frozen=True, slots=True)
class Exemption:
    """Why no VAT is charged: the words printed on the document and the VATEX code."""

    reason: str
    code: str = ""


REVERSE_CHARGE = Exemption("Reverse charge", "VATEX-EU-AE")
# Supplies to consumers in other member states: Art. 33 (goods) and 58 (TBE services) once past
# the threshold, Art. 59c while within it.
DISTANCE_SALE_ARTICLES = frozenset({"Art. 33", "Art. 58", "Art. 59c"})
INTRA_COMMUNITY = Exemption("Intra-Community supply", "VATEX-EU-IC")
EXPORT = Exemption("Export outside the EU", "VATEX-EU-G")


@dataclass(frozen=True, slots=True)
class VatTreatment:
    """How a line is taxed. `rates_country` is whose rates apply (None: no VAT is charged)."""

    category: VatCategory
    rates_country: str | None
    exemption: Exemption | None = None
    oss: bool = False  # declared through the One-Stop Shop in the buyer's member state
    article: str = ""
    reason: str = ""  # why the rule chose these rates, in words, where it is not obvious

    @property
    def charged(self) -> bool:
        return self.rates_country is not None

    @property
    def distance_sale(self) -> bool:
        """A B2C supply to another member state that counts toward the EUR 10,000 of Art. 59c
        (whichever side of it the seller is on)."""
        return self.article in DISTANCE_SALE_ARTICLES

    @property
    def note(self) -> str:
        """Why the line is taxed so, in words for the document: the rule's reason, else an
        exemption with the provision of the directive it rests on (Art. 226(11))."""
        if self.reason:
            return self.reason
        if self.exemption is None:
            return ""
        if not self.article:
            return self.exemption.reason
        return f"{self.exemption.reason} ({self.article} Directive 2006/112/EC)"


def vat_id_country(vat_id: str) -> str:
    """The member state (ISO 3166, so Greece's EL is GR) of a valid EU VAT ID, or ""."""
    from stdnum.eu import vat  # pure Python, no I/O

    if not vat_id or not vat.is_valid(vat_id):
        return ""
    prefix = vat.compact(vat_id)[:2].upper()
    return "GR" if prefix == "EL" else prefix


# Art. 59c(1)(c): below this, in the current and the preceding calendar year, a seller
# established in one member state taxes its B2C TBE services and intra-Community distance sales
# of goods in its own member state (it may opt for the destination, Art. 59c(3)).
DISTANCE_SALES_THRESHOLD_EUR = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class DistanceSales:
    """The seller's EU-wide B2C cross-border supplies (Art. 59c(1)(b)), in euro, excluding VAT:
    this calendar year up to and including the supply being taxed, and the whole previous one."""

    this_year: Decimal
    last_year: Decimal
    opted_for_destination: bool = False  # Art. 59c(3): two calendar years at least

    @property
    def below_threshold(self) -> bool:
        return (not self.opted_for_destination
                and self.this_year <= DISTANCE_SALES_THRESHOLD_EUR
                and self.last_year <= DISTANCE_SALES_THRESHOLD_EUR)

    @property
    def reason(self) -> str:
        return (f"Art. 59c: EU distance sales EUR {self.this_year:,.2f} this year and EUR "
                f"{self.last_year:,.2f} last year, within EUR "
                f"{DISTANCE_SALES_THRESHOLD_EUR:,.0f}: taxed where the seller is")


def vat_treatment(*, seller_country: str, buyer_country: str, supply: Supply,
                  buyer_vat_id: str = "", buyer_exempt: Exemption | None = None,
                  category_exemption: Exemption | None = None,
                  distance_sales: DistanceSales | None = None) -> VatTreatment:
    """The VAT treatment of one supply by rule, from where seller and buyer belong and whether the
    buyer is a taxable person (a valid EU VAT ID of another member state than the seller's).

    A seller outside the EU keeps the destination's rates (the tax book's plain behaviour).
    B2C digital services and distance sales of goods go to the consumer's member state (OSS)
    unless `distance_sales` says the seller is within the EUR 10,000 of Art. 59c; without it the
    threshold is taken as passed.
    """
    seller, buyer = seller_country.upper(), buyer_country.upper()
    if buyer_exempt is not None:
        return VatTreatment(VatCategory.EXEMPT, None, buyer_exempt)
    if seller not in EU_MEMBER_STATES:
        return VatTreatment(VatCategory.STANDARD, buyer)
    if buyer not in EU_MEMBER_STATES:
        # Goods leaving the EU are exempt (Art. 146); services to a customer outside the EU are
        # supplied where the customer is (Art. 44 B2B, Art. 59 and 58 B2C): no EU VAT either.
        article = "Art. 146" if supply is Supply.GOODS else "Art. 44, 59"
        return VatTreatment(VatCategory.EXPORT, None, EXPORT, article=article)
    if category_exemption is not None and buyer == seller:
        return VatTreatment(VatCategory.EXEMPT, None, category_exemption, article="Art. 132-135")
    if buyer == seller:
        return VatTreatment(VatCategory.STANDARD, seller)
    business = vat_id_country(buyer_vat_id) == buyer
    if business and supply is Supply.GOODS:
        # Exempt intra-Community supply; the buyer accounts for the acquisition (Art. 138).
        return VatTreatment(VatCategory.INTRA_COMMUNITY, None, INTRA_COMMUNITY,
                            article="Art. 138")
    if business:
        # B2B services are supplied where the customer is established (Art. 44); the customer
        # pays the VAT (Art. 196), and the invoice says "Reverse charge" (Art. 226(11a)).
        return VatTreatment(VatCategory.REVERSE_CHARGE, None, REVERSE_CHARGE,
                            article="Art. 44, 196")
    if supply is Supply.SERVICES:
        # B2C services in general are supplied where the supplier is (Art. 45).
        return VatTreatment(VatCategory.STANDARD, seller, article="Art. 45")
    # B2C digital services (Art. 58) and distance sales of goods (Art. 33) are taxed at the
    # consumer's rate and declared through the One-Stop Shop (Art. 369a-369k), once the seller's
    # EU-wide such sales pass EUR 10,000 (Art. 59c).
    if distance_sales is not None and distance_sales.below_threshold:
        return VatTreatment(VatCategory.STANDARD, seller, article="Art. 59c",
                            reason=distance_sales.reason)
    article = "Art. 33" if supply is Supply.GOODS else "Art. 58"
    return VatTreatment(VatCategory.STANDARD, buyer, oss=True, article=article,
                        reason=f"{article}: B2C supply taxed in {buyer}, declared through the "
                               "One-Stop Shop")


def with_rates(treatment: VatTreatment, rates: Sequence[TaxRate]) -> VatTreatment:
    """A standard treatment whose rates are all zero (or absent) is zero-rated (category Z)."""
    if treatment.category is VatCategory.STANDARD and not any(r.percent for r in rates):
        return VatTreatment(VatCategory.ZERO, treatment.rates_country, oss=treatment.oss,
                            article=treatment.article, reason=treatment.reason)
    return treatment
