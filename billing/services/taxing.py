"""Tax on invoice lines with the catalog's rates (`catalog.tax`), the account's exemption and the
invoice's rounding policy (`catalog.rounding.RoundingPolicy`: the tie rule, tax per line or per
document, the cash-rounding step), which the invoice copies from its prices' snapshots when it
is drafted (a manual invoice from its currency's standard price book) and keeps: retaxing,
issuing and its credit notes read the invoice's copy. The TAX_ROUNDING setting is only the
default of a book that names no tax rounding. The rates of a batch are read once per country,
so a run taxes thousands of invoices without a query per invoice.

Each line's VAT treatment is decided first (`catalog.tax.vat_treatment`: the seller's country,
the buyer's country and VAT ID, the product's kind of supply): it says whose rates apply (the
seller's, the buyer's for OSS) or that none do (reverse charge, intra-Community supply, export,
exempt), and which VAT category and exemption reason the line carries. B2C supplies of digital
services and goods to other member states are decided against the EUR 10,000 of Art. 59c: the
book reads the year's distance sales once (billing.oss_report.distance_sales) and counts each
such line it taxes, so the sale that passes the threshold and every later one go to the
consumer's rates.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db.models import Q

from billing import oss_report
from catalog import policies, tax
from catalog.models import PriceBook
from catalog.rounding import RoundingMode, RoundingPolicy, cash_round
from catalog.selectors import tax_category_rules, tax_rate_records
from core.bulk_rows import among
from core.company import seller
from core.money import round_money
from customers.models import Account
from ledger.fx import MissingRate
from ledger.services import rate_book

ROUNDING = {"line": tax.TaxRounding.PER_LINE, "per_line": tax.TaxRounding.PER_LINE,
            "invoice": tax.TaxRounding.PER_DOCUMENT, "per_document": tax.TaxRounding.PER_DOCUMENT}
DEFAULT_EXEMPTION = "Exempt from VAT"


def settled(policy: RoundingPolicy | None) -> RoundingPolicy:
    """The policy with its tax rounding decided (the company default where it names none)."""
    policy = policy or RoundingPolicy()
    return policy if policy.tax is not None else _with_tax(policy, policies.tax_rounding())


@lru_cache(maxsize=64)
def _with_tax(policy: RoundingPolicy, rounding: tax.TaxRounding) -> RoundingPolicy:
    """A run's drafts share one or two policies: each settled once, not once per draft (a
    dataclass copy twice a draft was a tenth of taxing a run's)."""
    return replace(policy, tax=rounding)


def policy_columns(policy: RoundingPolicy) -> dict:
    """The invoice columns that keep a (settled) policy."""
    policy = settled(policy)
    return {"rounding_mode": policy.mode.value, "tax_rounding": policy.tax.value,
            "cash_rounding_step": policy.cash_step, "inclusive_rounding": policy.inclusive.value}


def invoice_policy(invoice) -> RoundingPolicy:
    """The policy an invoice keeps (drafts made before it kept one: the defaults)."""
    return settled(RoundingPolicy(
        invoice.rounding_mode or RoundingMode.HALF_UP,
        ROUNDING[invoice.tax_rounding] if invoice.tax_rounding else None,
        invoice.cash_rounding_step,
        invoice.inclusive_rounding or tax.InclusiveRounding.TAX_FIRST))


def standard_policies(currencies: Iterable[str], on: date) -> dict[str, RoundingPolicy]:
    """The policy of each currency's standard price book in force on `on` (a manual invoice's;
    the defaults where there is none), one query."""
    books = PriceBook.objects.filter(
        currency__in=set(currencies), is_standard=True, active=True,
        effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)).order_by("effective_from")
    policies = {currency: settled(None) for currency in currencies}
    for book in books:
        policies[book.currency] = settled(book.rounding_policy())
    return policies


@dataclass(frozen=True)
class Place:
    country: str
    region: str = ""
    exempt: bool = False
    vat_id: str = ""
    exemption_reason: str = ""


def places_of(account_ids) -> dict[int, Place]:
    """Where each account is taxed and as whom (VAT ID, exemption), one query."""
    rows = Account.objects.filter(among("pk", account_ids)).values_list(
        "pk", "country", "region", "tax_exempt", "vat_id", "tax_exemption_reason")
    return {pk: Place(country, region, exempt, vat_id, reason)
            for pk, country, region, exempt, vat_id, reason in rows}


@dataclass
class TaxBook:
    """The stored tax rates of some countries and the tax categories, in memory (one query per
    country, one for the categories)."""

    records: dict[str, list[tax.TaxRateRecord]] = field(default_factory=dict)
    categories: dict[str, tuple[tax.Supply, tax.Exemption | None]] | None = None
    # Answers already worked out for this book (a batch asks the same few questions thousands
    # of times: one place and category per customer kind, one date per run).
    _rates: dict = field(default_factory=dict, repr=False)
    _treatments: dict = field(default_factory=dict, repr=False)
    # per year: [the stored DistanceSales, the euro this book has counted since]; per
    # currency, the rates that convert its sales to euro
    _distance: dict = field(default_factory=dict, repr=False)
    _euro_rates: dict = field(default_factory=dict, repr=False)
    _documents: dict = field(default_factory=dict, repr=False)

    @classmethod
    def for_countries(cls, countries: Iterable[str]) -> "TaxBook":
        return cls({c.upper(): tax_rate_records(country=c) for c in set(countries)})

    def rates(self, place: Place, category: str | None, on: date) -> tuple[tax.TaxRate, ...]:
        key = (place.country, place.region, category, on)
        if key not in self._rates:
            if place.country.upper() not in self.records:
                self.records[place.country.upper()] = tax_rate_records(country=place.country)
            self._rates[key] = tax.applicable_rates(
                self.records[place.country.upper()], country=place.country, region=place.region,
                category=category, on=on)
        return self._rates[key]

    def region_of(self, place: Place, name: str, percent: Decimal) -> str:
        """The region a tax of that name and rate belongs to ("" when country-wide)."""
        for record in self.records.get(place.country.upper(), ()):
            if (record.name, record.percent) == (name, percent) and record.region \
                    and record.region == place.region.upper():
                return record.region
        return ""

    def document(self, lines: tuple[tax.TaxLine, ...], currency: str, *, exempt: bool,
                 policy: RoundingPolicy, inclusive: bool, early_discount: Decimal
                 ) -> tax.DocumentTax:
        """`catalog.tax.tax_document` under a settled policy, worked out once per distinct
        document: it is pure and its answer immutable, and a run's drafts are a few kinds
        (taxing each was a sixth of drafting a run, issue 23). Amounts are told apart as
        written (0.00 from -0.00), so a document shares only an answer digit for digit its
        own."""
        key = (tuple((line.key, str(line.amount), line.rates, str(line.quantity))
                     for line in lines), currency, exempt, policy, inclusive, str(early_discount))
        if key not in self._documents:
            self._documents[key] = tax.tax_document(
                lines, currency, exempt=exempt, rounding=policy.tax, inclusive=inclusive,
                mode=policy.mode.decimal, inclusive_rounding=policy.inclusive,
                early_discount=early_discount)
        return self._documents[key]

    def category(self, code: str | None) -> tuple[tax.Supply, tax.Exemption | None]:
        if self.categories is None:
            self.categories = tax_category_rules()
        return self.categories.get(code or "", (tax.Supply.SERVICES, None))

    def treatment(self, place: Place, category: str | None,
                  sale: tuple[Decimal, str, date] | None = None) -> tax.VatTreatment:
        """The line's VAT treatment by rule (catalog.tax.vat_treatment). A distance sale (B2C
        to another member state) is decided against the EUR 10,000 of Art. 59c when `sale`
        (net amount, currency, day) is given, and then counted: this year's sales so far,
        stored and taxed by this book, include it. Without `sale` the threshold is taken as
        passed."""
        if (place, category, None) not in self._treatments:
            self._treatments[place, category, None] = self._treatment(place, category)
        passed = self._treatments[place, category, None]
        if sale is None or not passed.distance_sale:
            return passed
        # not kept: its reason states the year's sales so far, which each sale moves
        return self._treatment(place, category, self.tally(*sale))

    def tally(self, amount: Decimal, currency: str, on: date) -> tax.DistanceSales:
        """The year's distance sales in euro with `amount` added (from the documents issued to
        `on`, read once per year, plus every sale this book has counted)."""
        if on.year not in self._distance:
            self._distance[on.year] = [oss_report.distance_sales(up_to=on), Decimal(0)]
        if currency != oss_report.EURO:
            if currency not in self._euro_rates:
                self._euro_rates[currency] = rate_book({currency, oss_report.EURO}, up_to=on)
            try:
                amount = amount * oss_report.euro_rate(self._euro_rates[currency], currency,
                                                       on).rate
            except MissingRate as exc:
                raise ValueError(f"EU distance sales (Art. 59c) are counted in euro: {exc}") \
                    from None
        self._distance[on.year][1] += round_money(amount, oss_report.EURO)
        stored, counted = self._distance[on.year]
        return tax.DistanceSales(stored.this_year + counted, stored.last_year)

    def _treatment(self, place: Place, category: str | None,
                   sales: tax.DistanceSales | None = None) -> tax.VatTreatment:
        supply, exemption = self.category(category)
        buyer_exempt = None
        if place.exempt:
            buyer_exempt = tax.Exemption(place.exemption_reason or DEFAULT_EXEMPTION)
        return tax.vat_treatment(seller_country=seller().country,
                                 buyer_country=place.country, supply=supply,
                                 buyer_vat_id=place.vat_id, buyer_exempt=buyer_exempt,
                                 category_exemption=exemption, distance_sales=sales)


@dataclass(frozen=True)
class TaxableLine:
    amount: Decimal
    category: str | None
    inclusive: bool = False  # the price book's prices include tax
    quantity: Decimal = Decimal(1)  # what a levy per unit is charged on


@dataclass(frozen=True)
class TaxTotalRow:
    name: str
    percent: Decimal
    region: str
    taxable_amount: Decimal
    tax_amount: Decimal
    country: str = ""
    per_unit: Decimal | None = None  # a levy's amount per unit


@dataclass(frozen=True)
class TaxedDocument:
    line_taxes: list[tuple[Decimal, list[dict]]]  # per line: tax amount, detail
    line_nets: list[Decimal]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    totals: list[TaxTotalRow]
    line_vat: list[tax.VatTreatment] = field(default_factory=list)
    cash_rounding: Decimal = Decimal(0)  # already in `total`: subtotal + tax + cash_rounding


def _taxed_place(place: Place, treatment: tax.VatTreatment) -> Place:
    if treatment.rates_country in (None, place.country.upper()):
        return place
    return Place(treatment.rates_country or place.country)


def _detail(t: tax.TaxAmount) -> dict:
    """A line's tax as the line keeps it (tax_detail); a levy with its amount per unit."""
    detail = {"name": t.name, "percent": str(t.percent.normalize()), "amount": str(t.amount)}
    if t.per_unit is not None:
        detail["per_unit"] = str(t.per_unit.normalize())
    return detail


def _base(net: Decimal, early_discount: Decimal, currency: str) -> Decimal:
    """The taxable base of a net: itself, or less an early-payment discount taxed at issue."""
    if not early_discount:
        return net
    return round_money(net * (100 - early_discount) / 100, currency)


def tax_lines(lines: Sequence[TaxableLine], *, currency: str, place: Place, on: date,
              book: TaxBook, policy: RoundingPolicy | None = None,
              early_discount: Decimal = Decimal(0)) -> TaxedDocument:
    """Each line's tax and the document's totals per tax, adding up exactly; with a cash step,
    the total is brought to it and the difference kept apart (catalog.rounding.cash_round).
    `early_discount` (a percent, "always" mode) taxes each net less that discount
    (catalog.tax); the totals' taxable amounts are then the reduced bases."""
    policy = settled(policy)
    inclusive = {line.inclusive for line in lines}
    if len(inclusive) > 1:
        raise ValueError("the lines mix tax-inclusive and tax-exclusive prices")
    treatments, places, inputs = [], [], []
    for i, line in enumerate(lines):
        # a tax-inclusive amount is counted gross: within a few euro of the threshold it errs
        # toward the destination's VAT, which the buyer's state never refuses
        treatment = book.treatment(place, line.category, (line.amount, currency, on))
        taxed_at = _taxed_place(place, treatment)
        # An exempt customer's rates are still read: tax_document extracts them from inclusive
        # prices and charges none (the account's exemption, as before the EU rules).
        charged = treatment.charged or place.exempt
        rates = book.rates(taxed_at, line.category, on) if charged else ()
        treatments.append(tax.with_rates(treatment, rates))
        places.append(taxed_at)
        inputs.append(tax.TaxLine(str(i), round_money(line.amount, currency), rates,
                                  line.quantity))
    document = book.document(tuple(inputs), currency, exempt=place.exempt, policy=policy,
                             inclusive=inclusive == {True}, early_discount=early_discount)
    line_taxes = [(result.tax, [_detail(t) for t in result.taxes]) for result in document.lines]
    sums: dict[tuple, list[Decimal]] = {}
    for taxed_at, result in zip(places, document.lines, strict=True):
        for t in result.taxes:
            key = (taxed_at.country.upper(), book.region_of(taxed_at, t.name, t.percent), t.name,
                   t.percent, t.per_unit)
            base_tax = sums.setdefault(key, [Decimal(0), Decimal(0)])
            # a percentage charged on a levy too has the levy in its base
            base_tax[0] += _base(result.net if t.base is None else t.base, early_discount,
                                 currency)
            base_tax[1] += t.amount
    totals = [TaxTotalRow(name, percent, region, base, amount, country, per_unit)
              for (country, region, name, percent, per_unit), (base, amount) in sums.items()]
    rounded = (cash_round(document.gross, currency, policy.cash_step, policy.mode)
               if policy.cash_step else None)
    return TaxedDocument(line_taxes, [result.net for result in document.lines], document.net,
                         document.tax, rounded.rounded if rounded else document.gross, totals,
                         treatments, rounded.adjustment if rounded else Decimal(0))
