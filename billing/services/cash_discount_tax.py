"""The early-payment discount an invoice offers and its tax mode, recorded on issue.

Each invoice keeps the company's mode (catalog.policies.early_discount_tax_mode) and the percent
and days of the terms it falls due on, so a setting or terms changed later never move money
already invoiced; payments read them from the invoice.

In "always" mode (Odoo's "Cash Discount Tax Reduction: Always"; the Belgian rule), an invoice
whose terms grant an early-payment discount is taxed on its net less the discount, whether the
customer pays early or not: Odoo's example, 100.00 at 21% with 2% off for early payment, is
taxed 20.58 and totals 120.58 (118.58 paid early). Issuing retaxes such drafts so (exclusive
prices only: a tax-inclusive price keeps its gross and its tax).
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, InvoiceTax
from billing.services.taxing import (
    TaxableLine,
    TaxBook,
    TaxedDocument,
    invoice_policy,
    places_of,
    tax_lines,
)
from catalog.policies import EarlyDiscountTaxMode, early_discount_tax_mode
from core.bulk_rows import insert_rows, update_columns

TOTAL_FIELDS = ["tax_total", "total", "amount_due", "cash_rounding"]


def record_terms(invoices: Sequence[Invoice], lines: dict[int, list[InvoiceLine]], terms,
                 *, day: date) -> list[Invoice]:
    """Copy the mode and each invoice's early-payment discount onto it (in memory; issuing
    writes them) and, in "always" mode, retax the drafts that offer one (written here): those
    retaxed, whose tax totals are new rows."""
    mode = early_discount_tax_mode()
    retaxed = []
    for invoice in invoices:
        chosen = terms[invoice.pk]
        invoice.early_discount_tax_mode = mode.value
        offered = chosen.early_discount_percent or Decimal(0)
        invoice.early_discount_percent = offered if offered else None
        invoice.early_discount_days = chosen.early_discount_days if offered else None
        if taxes_discounted_net(mode, offered, lines[invoice.pk]):
            retaxed.append(invoice)
    if retaxed:
        _retax(retaxed, lines, day)
    return retaxed


def taxes_discounted_net(mode, offered: Decimal | None, lines) -> bool:
    """Whether an invoice under this mode and discount is taxed on its net less the discount:
    in "always" mode, with a discount offered, when no price is tax-inclusive."""
    return (mode == EarlyDiscountTaxMode.ALWAYS and bool(offered)
            and not any(line.inclusive_amount is not None for line in lines))


def _retax(invoices: Sequence[Invoice], lines, day: date) -> None:
    places = places_of({invoice.account_id for invoice in invoices})
    book = TaxBook.for_countries({place.country for place in places.values()})
    changed, rows = [], []
    for invoice in invoices:
        document = tax_lines(
            [TaxableLine(line.amount, line.tax_category or None, quantity=line.quantity)
             for line in lines[invoice.pk]],
            currency=invoice.currency, place=places[invoice.account_id], on=day, book=book,
            policy=invoice_policy(invoice), early_discount=invoice.early_discount_percent)
        changed += _set(invoice, lines[invoice.pk], document)
        rows += [InvoiceTax(invoice=invoice, name=t.name, percent=t.percent, country=t.country,
                            region=t.region, taxable_amount=t.taxable_amount,
                            tax_amount=t.tax_amount, per_unit_amount=t.per_unit)
                 for t in document.totals]
    update_columns(InvoiceLine, changed, ["tax_amount", "tax_detail"])
    InvoiceTax.objects.filter(invoice__in=invoices).delete()
    insert_rows(InvoiceTax, rows)
    update_columns(Invoice, invoices, TOTAL_FIELDS)


def _set(invoice: Invoice, lines: list[InvoiceLine], document: TaxedDocument) -> list:
    for line, (tax_amount, detail) in zip(lines, document.line_taxes, strict=True):
        line.tax_amount, line.tax_detail = tax_amount, detail
    invoice.tax_total, invoice.total = document.tax, document.total
    invoice.amount_due, invoice.cash_rounding = document.total, document.cash_rounding
    return lines
