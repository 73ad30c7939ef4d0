"""Writing planned charges as draft invoices, in bulk: invoices, lines, billing records and tax
totals each in one insert per batch (`core.bulk_rows.insert_tuples`: COPY on PostgreSQL, from
plain column values, no model instance per row), never a query per row. A billing record is
one-to-one with the scheduled charge it bills: that is the guard against billing twice. When a
batch collides (another run billed the same charge at the same moment), each draft is written
alone in a savepoint and the colliding account is recorded as a failure, to be billed by the
next run.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import itemgetter

from django.db import IntegrityError, connection, transaction
from django.db.models import FileField, JSONField, Value
from django.db.models.expressions import DatabaseDefault

from billing.models import (
    BillingRecord,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceTax,
    UsageRecord,
)
from billing.rating import day_start
from billing.selectors import account_zones
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
from core.bulk_rows import insert_tuples


@dataclass
class Written:
    invoice_ids: list[int]
    failures: dict[int, str]


def _quantity(line) -> Decimal:
    return Decimal(1) if line.quantity is None else line.quantity


def taxed(draft: PlannedInvoice, place: Place, on: date, book: TaxBook) -> TaxedDocument:
    return tax_lines([TaxableLine(line.amount, line.tax_category, line.tax_inclusive,
                                  _quantity(line)) for line in draft.lines],
                     currency=draft.currency, place=place, on=on, book=book,
                     policy=draft.policy)


class _Table:
    """A table's rows as plain dicts over the columns of one instance built with the batch's
    shared values: its defaults, `db_default`s and timestamps are taken once, as the
    constructor and `pre_save` give them, and each row names only what differs. Building a
    model instance per row (django-fsm's constructor above all) was about a third of drafting
    (issue 23)."""

    def __init__(self, model, **shared):
        template = model(**shared)
        self.model, self.base = model, {}
        for field in model._meta.concrete_fields:
            if field.generated or field.primary_key:
                continue
            value = field.pre_save(template, True)
            if isinstance(value, DatabaseDefault):
                default = field.db_default  # a constant, as insert_rows takes it
                value = default.value if isinstance(default, Value) else default
            if isinstance(field, FileField):
                value = field.get_prep_value(value)  # the file's name
            self.base[field.attname] = value
        postgres = connection.vendor == "postgresql"
        self.dumps = {field.attname: field.encoder for field in model._meta.concrete_fields
                      if postgres and isinstance(field, JSONField)}
        for name, encoder in self.dumps.items():  # the shared values as COPY takes them, once
            if self.base[name] is not None:
                self.base[name] = json.dumps(self.base[name], cls=encoder)
        self.values = itemgetter(*self.base)  # a row's values in the columns' order

    def insert(self, rows: Sequence[dict]) -> list[int]:
        """Insert the rows; their new ids, in order."""
        tuples = []
        for row in rows:
            merged = {**self.base, **row}
            for name, encoder in self.dumps.items():
                if row.get(name) is not None:
                    merged[name] = json.dumps(row[name], cls=encoder)
            tuples.append(self.values(merged))
        return insert_tuples(self.model, list(self.base), tuples)


def _invoice(draft, document, place) -> dict:
    return {"account_id": draft.account_id, "currency": draft.currency,
            "subtotal": document.subtotal, "tax_total": document.tax, "total": document.total,
            "cash_rounding": document.cash_rounding, "amount_due": document.total,
            "tax_exempt": place.exempt, **policy_columns(draft.policy)}


def _rows(invoice_id, draft, document, place):
    """The invoice's lines, its billing records (each with the index of its line) and its
    tax totals, as column values."""
    lines, records, taxes = [], [], []
    record_of: dict[int, dict] = {}  # by scheduled charge
    for position, (planned, (tax_amount, detail), net, treatment) in enumerate(
            zip(draft.lines, document.line_taxes, document.line_nets, document.line_vat,
                strict=True), start=1):
        lines.append({"invoice_id": invoice_id, "position": position, "source": planned.source,
                      "contract_line_id": planned.contract_line_id,
                      "product_id": planned.product_id,
                      "description": planned.description[:255],
                      "quantity": planned.quantity, "unit_price": planned.unit_price,
                      "amount": net, "tax_amount": tax_amount, "tax_detail": detail,
                      "inclusive_amount": planned.amount if planned.tax_inclusive else None,
                      "tax_category": planned.tax_category or "",
                      "period_start": planned.period_start, "period_end": planned.period_end,
                      "proration": planned.proration, **line_vat(treatment, detail)})
        if planned.shortfall:  # billed with the usage it tops up: one charge, one record
            record_of[planned.scheduled_charge_id]["amount"] += planned.amount
            continue
        record = {"contract_line_id": planned.contract_line_id,
                  "scheduled_charge_id": planned.scheduled_charge_id, "kind": planned.kind,
                  "period_start": planned.period_start, "period_end": planned.period_end,
                  "amount": planned.amount, "currency": draft.currency,
                  "invoice_id": invoice_id, "invoice_line_id": lines[-1]}
        record_of[planned.scheduled_charge_id] = record
        records.append(record)
    for total in document.totals:
        taxes.append({"invoice_id": invoice_id, "name": total.name, "percent": total.percent,
                      "country": place.country, "region": total.region,
                      "taxable_amount": total.taxable_amount, "tax_amount": total.tax_amount,
                      "per_unit_amount": total.per_unit})
    return lines, records, taxes


def _write_batch(items, *, run, by) -> list[int]:
    """Invoices, lines, billing records and tax totals: one insert each for the batch."""
    invoice_ids = _Table(Invoice, kind=InvoiceKind.RUN if run else InvoiceKind.MANUAL,
                         run=run, created_by=by).insert(
        [_invoice(draft, document, place) for draft, document, place in items])
    lines, records, taxes = [], [], []
    for invoice_id, (draft, document, place) in zip(invoice_ids, items, strict=True):
        more = _rows(invoice_id, draft, document, place)
        lines += more[0]
        records += more[1]
        taxes += more[2]
    line_ids = _Table(InvoiceLine).insert(lines)
    line_id = {id(line): pk for line, pk in zip(lines, line_ids, strict=True)}
    for record in records:
        record["line"] = record["invoice_line_id"]
        record["invoice_line_id"] = line_id[id(record["line"])]
    record_ids = _Table(BillingRecord).insert(
        [{k: v for k, v in r.items() if k != "line"} for r in records])
    for record, pk in zip(records, record_ids, strict=True):
        record["id"] = pk
    _Table(InvoiceTax).insert(taxes)
    _mark_usage_billed(records, dict(zip(invoice_ids, (d.account_id for d, _, _ in items),
                                         strict=True)))
    return invoice_ids


def _mark_usage_billed(records: Sequence[dict], account_of: dict[int, int]) -> None:
    """Usage rated onto an invoice points at its billing record: the account's events from the
    first moment of the period's first day to the last of its last day, in the account's time
    zone, as planning counted them (one update per usage charge; runs of subscriptions only
    have none)."""
    usage = [record for record in records if record["kind"] == "usage"]
    zones = account_zones({account_of[record["invoice_id"]] for record in usage}) \
        if usage else {}
    for record in usage:
        account_id = account_of[record["invoice_id"]]
        zone = zones[account_id]
        UsageRecord.objects.filter(
            account_id=account_id, product_id=record["line"]["product_id"],
            billing_record__isnull=True,
            occurred_at__gte=day_start(record["period_start"], zone),
            occurred_at__lt=day_start(record["period_end"] + timedelta(days=1), zone),
        ).update(billing_record_id=record["id"])


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
    written: list[int] = []
    for item in items:
        try:
            with transaction.atomic():
                written += _write_batch([item], run=run, by=by)
        except IntegrityError:
            failures[item[0].account_id] = ("Another run billed some of these charges at the "
                                            "same moment; the next run bills what is left.")
    return Written(written, failures)
