"""The tax report of a period: taxable base and tax per rate and authority (country, region) and
currency, net of credit notes and voids, from the tax totals kept on each document.

A document counts on its own date, as its journal entry does: an invoice on its issue date, its
void (a reversal) on the void date, a credit note on its issue date. So the net tax of a period
is what the period's entries moved on tax payable (the test ties the two). Sums are read per
group from the database and rounded to the currency (SQLite sums decimals in floating point).
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Sum

from billing.models import CreditNoteState, CreditNoteTax, InvoiceState, InvoiceTax
from core.csv_files import SafeCsvWriter
from core.money import round_money

ZERO = Decimal(0)
GROUP = ("currency", "country", "region", "name", "percent")


@dataclass
class TaxReportRow:
    currency: str
    country: str
    region: str
    name: str
    percent: Decimal
    invoiced_base: Decimal = ZERO
    invoiced_tax: Decimal = ZERO
    voided_base: Decimal = ZERO
    voided_tax: Decimal = ZERO
    credited_base: Decimal = ZERO
    credited_tax: Decimal = ZERO

    @property
    def authority(self) -> str:
        return f"{self.country}-{self.region}" if self.region else self.country

    @property
    def net_base(self) -> Decimal:
        return self.invoiced_base - self.voided_base - self.credited_base

    @property
    def net_tax(self) -> Decimal:
        return self.invoiced_tax - self.voided_tax - self.credited_tax


@dataclass
class TaxReport:
    start: date
    end: date
    rows: list[TaxReportRow]

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency: (net taxable base, net tax)."""
        totals: dict[str, tuple[Decimal, Decimal]] = {}
        for row in self.rows:
            base, tax = totals.get(row.currency, (ZERO, ZERO))
            totals[row.currency] = (base + row.net_base, tax + row.net_tax)
        return totals


def _grouped(queryset, currency_path: str):
    return (queryset.annotate(currency=F(currency_path)).values(*GROUP)
            .annotate(base=Sum("taxable_amount"), tax=Sum("tax_amount")).order_by(*GROUP))


def _add(rows: dict, groups: Iterable[dict], base_field: str, tax_field: str) -> None:
    for group in groups:
        key = (group["currency"], group["country"], group["region"], group["name"],
               group["percent"].normalize())
        row = rows.setdefault(key, TaxReportRow(*key))
        setattr(row, base_field, getattr(row, base_field)
                + round_money(group["base"] or ZERO, key[0]))
        setattr(row, tax_field, getattr(row, tax_field) + round_money(group["tax"] or ZERO, key[0]))


def tax_report(*, start: date, end: date, currency: str = "") -> TaxReport:
    """Taxable base and tax per rate, authority and currency for documents dated in
    [start, end], net of credit notes and voids (three grouped queries, whatever the volume)."""
    invoiced = InvoiceTax.objects.filter(invoice__issue_on__range=(start, end)).exclude(
        invoice__state=InvoiceState.DRAFT)
    voided = InvoiceTax.objects.filter(invoice__state=InvoiceState.VOID,
                                       invoice__voided_on__range=(start, end))
    credited = CreditNoteTax.objects.filter(credit_note__state=CreditNoteState.ISSUED,
                                            credit_note__issue_on__range=(start, end))
    if currency:
        invoiced = invoiced.filter(invoice__currency=currency)
        voided = voided.filter(invoice__currency=currency)
        credited = credited.filter(credit_note__currency=currency)
    rows: dict = {}
    _add(rows, _grouped(invoiced, "invoice__currency"), "invoiced_base", "invoiced_tax")
    _add(rows, _grouped(voided, "invoice__currency"), "voided_base", "voided_tax")
    _add(rows, _grouped(credited, "credit_note__currency"), "credited_base", "credited_tax")
    return TaxReport(start, end, [rows[key] for key in sorted(rows)])


CSV_HEADER = ["currency", "country", "region", "tax", "percent", "invoiced_base",
              "invoiced_tax", "voided_base", "voided_tax", "credited_base", "credited_tax",
              "net_base", "net_tax"]


def tax_report_csv(report: TaxReport) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_HEADER)
    for r in report.rows:
        amounts = (r.invoiced_base, r.invoiced_tax, r.voided_base, r.voided_tax,
                   r.credited_base, r.credited_tax, r.net_base, r.net_tax)
        writer.writerow([r.currency, r.country, r.region, r.name, f"{r.percent:f}",
                         *(round_money(amount, r.currency) for amount in amounts)])
    return out.getvalue()
