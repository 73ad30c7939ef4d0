"""Opening balances: the open invoices of the previous system, imported whole or not at all.

Each becomes an issued invoice of kind "migrated" that keeps its number, with one line, one due
instalment and a journal entry: the receivable (at the rate of its issue date) against the
opening-balances equity account. No tax is posted: it was declared by the previous system.
Everything is written in bulk (one insert per table, one `post_entries`, one bulk transition).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import DueInstalment, Invoice, InvoiceKind, InvoiceLine, LineSource
from billing.opening_balance_csv import (
    OpenInvoice,
    parse_opening_balances,
    resolve_opening_balances,
)
from billing.services.usage_import import accounts_named
from core import clock
from core.actors import require
from core.dates import business_date
from core.transitions import run_bulk_transition
from ledger import chart
from ledger.fx import convert
from ledger.services import EntryDraft, LineDraft, post_entries, rate_book


@dataclass(frozen=True)
class OpeningBalanceImport:
    invoices: list[Invoice]
    totals: dict[str, Decimal]


def _checked(content: bytes, file_name: str, today: date) -> list[OpenInvoice]:
    rows, errors = parse_opening_balances(content, currencies=set(settings.CURRENCIES),
                                          today=today, filename=file_name)
    if errors:
        raise ValidationError(errors, code="bad_rows")
    numbers = {row.number for row in rows}
    taken = set(Invoice.objects.filter(number__in=numbers).values_list("number", flat=True))
    book = rate_book({row.currency for row in rows}, up_to=max(row.issue_on for row in rows))
    invoices, errors = resolve_opening_balances(
        rows, accounts=accounts_named({row.account for row in rows}), taken_numbers=taken,
        rate_of=book.rate_on)
    if errors:
        raise ValidationError(errors, code="bad_rows")
    return invoices


def _entry(invoice: Invoice, row: OpenInvoice) -> EntryDraft:
    functional = convert(row.amount, row.rate, settings.FUNCTIONAL_CURRENCY)
    return EntryDraft(
        document_date=row.issue_on, memo=f"Opening balance: invoice {row.number}",
        source=invoice, source_label=row.number,
        lines=[LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=functional,
                         customer_account_id=row.account_id, document_currency=row.currency,
                         document_amount=row.amount, rate=row.rate, description=row.number),
               LineDraft(chart.OPENING_BALANCES, credit=functional, description=row.number)])


@transaction.atomic
def import_opening_balances(*, content: bytes, by, on: date | None = None,
                            file_name: str = "opening-balances.csv") -> OpeningBalanceImport:
    """Issued, migrated invoices for every row of the file, or a ValidationError listing every
    bad row by line (nothing written)."""
    actor = require(by, "billing.issue_invoice",
                    "You are not allowed to import opening balances.")
    today = business_date(on)
    rows = _checked(content, file_name, today)
    now = clock.now()
    invoices = Invoice.objects.bulk_create([
        Invoice(kind=InvoiceKind.MIGRATED, number=row.number, account_id=row.account_id,
                currency=row.currency, issue_on=row.issue_on, due_on=row.due_on,
                memo="Open invoice carried over from the previous system.",
                subtotal=row.amount, total=row.amount, amount_due=row.amount,
                functional_currency=settings.FUNCTIONAL_CURRENCY, fx_rate=row.rate,
                functional_total=convert(row.amount, row.rate, settings.FUNCTIONAL_CURRENCY),
                created_by=actor.user, issued_by=actor.user, issued_at=now)
        for row in rows])
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, position=1, source=LineSource.MIGRATED,
                    description=f"Open balance of invoice {row.number} (previous system)",
                    quantity=Decimal(1), unit_price=row.amount, amount=row.amount)
        for invoice, row in zip(invoices, rows, strict=True)])
    DueInstalment.objects.bulk_create([
        DueInstalment(invoice=invoice, sequence=1, due_on=row.due_on, amount=row.amount)
        for invoice, row in zip(invoices, rows, strict=True)])
    entries = post_entries([_entry(invoice, row) for invoice, row in zip(invoices, rows,
                                                                         strict=True)],
                           by=by, on=today)
    for invoice, entry in zip(invoices, entries, strict=True):
        invoice.journal_entry = entry
    run_bulk_transition(invoices, "issue", by=by, on=today,
                        note="Opening balance imported from the previous system.",
                        update_fields=["journal_entry"])
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
    return OpeningBalanceImport(invoices, totals)
