"""Writing planned charges as draft invoices, in bulk: invoices, lines, billing records and tax
totals each in one insert per batch (`core.bulk_rows.insert_rows`: COPY on PostgreSQL), never
a query per row. A billing record is one-to-one with the scheduled charge it bills: that is the
guard against billing twice. When a batch collides (another run billed the same charge at the
same moment), each draft is written alone in a savepoint and the colliding account is recorded
as a failure, to be billed by the next run.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from billing.models import (
    BillingRecord,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceTax,
    UsageRecord,
)
from billing.services.document_parties import line_vat
from billing.services.planning import PlannedInvoice
from billing.services.taxing import (
    Place,
    TaxableLine,
    TaxBook,
    TaxedDocument,
    places_of,
    policy_columns,
    tax_lines,
)
from core.bulk_rows import insert_rows


@dataclass
class Written:
    invoices: list[Invoice]
    failures: dict[int, str]


def _quantity(line) -> Decimal:
    return Decimal(1) if line.quantity is None else line.quantity


def taxed(draft: PlannedInvoice, place: Place, on: date, book: TaxBook) -> TaxedDocument:
    return tax_lines([TaxableLine(line.amount, line.tax_category, line.tax_inclusive,
                                  _quantity(line)) for line in draft.lines],
                     currency=draft.currency, place=place, on=on, book=book,
                     policy=draft.policy)


def _invoice(draft, document, place, run, by) -> Invoice:
    return Invoice(kind=InvoiceKind.RUN if run else InvoiceKind.MANUAL, run=run,
                   account_id=draft.account_id, currency=draft.currency,
                   subtotal=document.subtotal, tax_total=document.tax, total=document.total,
                   cash_rounding=document.cash_rounding, amount_due=document.total,
                   tax_exempt=place.exempt, created_by=by, **policy_columns(draft.policy))


def _rows(invoice, draft, document, place):
    lines, records, taxes = [], [], []
    record_of: dict[int, BillingRecord] = {}  # by scheduled charge
    for position, (planned, (tax_amount, detail), net, treatment) in enumerate(
            zip(draft.lines, document.line_taxes, document.line_nets, document.line_vat,
                strict=True), start=1):
        line = InvoiceLine(invoice=invoice, position=position, source=planned.source,
                           contract_line_id=planned.contract_line_id,
                           product_id=planned.product_id, description=planned.description[:255],
                           quantity=planned.quantity, unit_price=planned.unit_price,
                           amount=net, tax_amount=tax_amount, tax_detail=detail,
                           inclusive_amount=planned.amount if planned.tax_inclusive else None,
                           tax_category=planned.tax_category or "",
                           period_start=planned.period_start, period_end=planned.period_end,
                           proration=planned.proration, **line_vat(treatment, detail))
        lines.append(line)
        if planned.shortfall:  # billed with the usage it tops up: one charge, one record
            record_of[planned.scheduled_charge_id].amount += planned.amount
            continue
        record = BillingRecord(contract_line_id=planned.contract_line_id,
                               scheduled_charge_id=planned.scheduled_charge_id,
                               kind=planned.kind, period_start=planned.period_start,
                               period_end=planned.period_end, amount=planned.amount,
                               currency=draft.currency, invoice=invoice, invoice_line=line)
        record_of[planned.scheduled_charge_id] = record
        records.append(record)
    for total in document.totals:
        taxes.append(InvoiceTax(invoice=invoice, name=total.name, percent=total.percent,
                                country=place.country, region=total.region,
                                taxable_amount=total.taxable_amount,
                                tax_amount=total.tax_amount,
                                per_unit_amount=total.per_unit))
    return lines, records, taxes


def _write_batch(items, *, run, by) -> list[Invoice]:
    invoices = insert_rows(Invoice, [_invoice(d, doc, p, run, by) for d, doc, p in items])
    lines, records, taxes = [], [], []
    for invoice, (draft, document, place) in zip(invoices, items, strict=True):
        more = _rows(invoice, draft, document, place)
        lines += more[0]
        records += more[1]
        taxes += more[2]
    insert_rows(InvoiceLine, lines)
    for record in records:
        record.invoice_line_id = record.invoice_line.pk
    insert_rows(BillingRecord, records)
    insert_rows(InvoiceTax, taxes)
    _mark_usage_billed(records, invoices)
    return invoices


def _mark_usage_billed(records: Sequence[BillingRecord], invoices: Sequence[Invoice]) -> None:
    """Usage rated onto an invoice points at its billing record (one update per usage charge;
    runs of subscriptions only have none)."""
    account_of = {invoice.pk: invoice.account_id for invoice in invoices}
    for record in records:
        if record.kind != "usage":
            continue
        line = record.invoice_line
        UsageRecord.objects.filter(
            account_id=account_of[record.invoice_id], product_id=line.product_id,
            billing_record__isnull=True, occurred_at__date__gte=record.period_start,
            occurred_at__date__lte=record.period_end,
        ).update(billing_record=record)


def write_drafts(drafts: Sequence[PlannedInvoice], *, on: date, run=None, by) -> Written:
    """Draft invoices for the planned charges, taxed as of `on`; the caller's transaction."""
    places = places_of({d.account_id for d in drafts})
    book = TaxBook.for_countries({p.country for p in places.values()})
    items, failures = [], {}
    for draft in drafts:
        place = places[draft.account_id]
        try:
            items.append((draft, taxed(draft, place, on, book), place))
        except (ValueError, ArithmeticError) as error:
            failures[draft.account_id] = f"Tax: {error}"
    if not items:
        return Written([], failures)
    try:
        with transaction.atomic():
            return Written(_write_batch(items, run=run, by=by), failures)
    except IntegrityError:
        pass  # someone billed some of these periods meanwhile: write each alone
    written = []
    for item in items:
        try:
            with transaction.atomic():
                written += _write_batch([item], run=run, by=by)
        except IntegrityError:
            failures[item[0].account_id] = ("Another run billed some of these charges at the "
                                            "same moment; the next run bills what is left.")
    return Written(written, failures)
