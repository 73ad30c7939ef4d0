"""Tax on invoice lines with the catalog's rates (`catalog.tax`), the account's exemption and the
rounding of the TAX_ROUNDING setting ("line": each line rounded; "invoice": each tax rounded once
over the invoice). The rates of a batch are read once per country, so a run taxes thousands of
invoices without a query per invoice."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from catalog import tax
from catalog.selectors import tax_rate_records
from core.money import round_money

ROUNDING = {"line": tax.TaxRounding.PER_LINE, "per_line": tax.TaxRounding.PER_LINE,
            "invoice": tax.TaxRounding.PER_DOCUMENT, "per_document": tax.TaxRounding.PER_DOCUMENT}


def tax_rounding() -> tax.TaxRounding:
    value = str(getattr(settings, "TAX_ROUNDING", "line")).strip().lower()
    if value not in ROUNDING:
        raise ValueError(f"TAX_ROUNDING is {value!r}; use 'line' or 'invoice'")
    return ROUNDING[value]


@dataclass(frozen=True)
class Place:
    country: str
    region: str = ""
    exempt: bool = False


@dataclass
class TaxBook:
    """The stored tax rates of some countries, in memory (one query per country)."""

    records: dict[str, list[tax.TaxRateRecord]] = field(default_factory=dict)

    @classmethod
    def for_countries(cls, countries: Iterable[str]) -> "TaxBook":
        return cls({c.upper(): tax_rate_records(country=c) for c in set(countries)})

    def rates(self, place: Place, category: str | None, on: date) -> tuple[tax.TaxRate, ...]:
        if place.country.upper() not in self.records:
            self.records[place.country.upper()] = tax_rate_records(country=place.country)
        return tax.applicable_rates(self.records[place.country.upper()], country=place.country,
                                    region=place.region, category=category, on=on)

    def region_of(self, place: Place, name: str, percent: Decimal) -> str:
        """The region a tax of that name and rate belongs to ("" when country-wide)."""
        for record in self.records.get(place.country.upper(), ()):
            if (record.name, record.percent) == (name, percent) and record.region \
                    and record.region == place.region.upper():
                return record.region
        return ""


@dataclass(frozen=True)
class TaxableLine:
    amount: Decimal
    category: str | None
    inclusive: bool = False  # the price book's prices include tax


@dataclass(frozen=True)
class TaxTotalRow:
    name: str
    percent: Decimal
    region: str
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class TaxedDocument:
    line_taxes: list[tuple[Decimal, list[dict]]]  # per line: tax amount, detail
    line_nets: list[Decimal]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    totals: list[TaxTotalRow]


def tax_lines(lines: Sequence[TaxableLine], *, currency: str, place: Place, on: date,
              book: TaxBook, rounding: tax.TaxRounding | None = None) -> TaxedDocument:
    """Each line's tax and the document's totals per tax, adding up exactly."""
    rounding = rounding or tax_rounding()
    inclusive = {line.inclusive for line in lines}
    if len(inclusive) > 1:
        raise ValueError("the lines mix tax-inclusive and tax-exclusive prices")
    inputs = [tax.TaxLine(str(i), round_money(line.amount, currency),
                          book.rates(place, line.category, on))
              for i, line in enumerate(lines)]
    document = tax.tax_document(inputs, currency, exempt=place.exempt, rounding=rounding,
                                inclusive=inclusive == {True})
    line_taxes = [(result.tax, [{"name": t.name, "percent": str(t.percent.normalize()),
                                 "amount": str(t.amount)} for t in result.taxes])
                  for result in document.lines]
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for result in document.lines:
        for t in result.taxes:
            bases[(t.name, t.percent)] = bases.get((t.name, t.percent), Decimal(0)) + result.net
    totals = [TaxTotalRow(t.name, t.percent, book.region_of(place, t.name, t.percent),
                          bases[(t.name, t.percent)], t.amount) for t in document.taxes]
    return TaxedDocument(line_taxes, [result.net for result in document.lines], document.net,
                         document.tax, document.gross, totals)
