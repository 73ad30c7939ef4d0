"""Credits bigger than charges: an invoice never goes negative.

A run nets a contract change's credits against the charges due with them on one invoice. When the
credits are larger (a termination, a reduction with nothing new to bill), the credits are issued
instead as credit notes on the invoices that billed the days they take back (one note per
invoice, under the normal series, with its journal: `billing.services.credit_notes`), which
reduce what those invoices still ask for or become a credit the customer can use; the charges,
if any, stay a normal draft. The credit note's lines point at their schedule rows through billing
records, so the rows are billed once.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import BillingRecord, CreditNoteReason, Invoice, InvoiceState
from billing.services.credit_notes import NewCreditNote, issue_credit_notes
from billing.services.planning import ChargeKind, PlannedInvoice, PlannedLine


@dataclass
class Settled:
    drafts: list[PlannedInvoice]  # what is left to write as draft invoices
    credit_notes: list = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)


def _waiting(credits: Sequence[PlannedLine]) -> str | None:
    for line in credits:
        if line.credited is None:
            return f"{line.description}: the charge it credits is on no invoice."
        if line.credited.invoice_state == InvoiceState.DRAFT:
            return (f"{line.description}: its credit waits for draft invoice "
                    f"{line.credited.invoice_id} (which billed the days it takes back) to be "
                    f"issued or discarded.")
    return None


def _issue(credits: Sequence[PlannedLine], *, currency: str, on: date, by) -> list:
    """One credit note per invoice that billed the days taken back, all in one batch."""
    by_invoice: dict[int, list[PlannedLine]] = defaultdict(list)
    for line in credits:
        by_invoice[line.credited.invoice_id].append(line)
    issued_on = dict(Invoice.objects.filter(pk__in=by_invoice).values_list("pk", "issue_on"))
    requests = []
    for invoice_id, lines in sorted(by_invoice.items()):
        nets: dict[int, Decimal] = defaultdict(Decimal)
        for line in lines:
            nets[line.credited.invoice_line_id] += line.credited.net
        # a change dated back before the invoice was issued is credited on its issue day
        requests.append(NewCreditNote(
            invoice_id, CreditNoteReason.ORDER_CHANGE,
            "Contract change: days billed in advance and not served.",
            line_amounts=dict(nets), on=max(on, issued_on[invoice_id]), days_not_served=True))
    notes = issue_credit_notes(notes=requests, by=by, on=on)
    records = []
    for note, (_, lines) in zip(notes, sorted(by_invoice.items()), strict=True):
        note_lines = {n.invoice_line_id: n for n in note.lines.all()}
        records += [BillingRecord(
            contract_line_id=line.contract_line_id, scheduled_charge_id=line.scheduled_charge_id,
            kind=line.kind, period_start=line.period_start, period_end=line.period_end,
            amount=line.amount, currency=currency,
            credit_note_line=note_lines[line.credited.invoice_line_id]) for line in lines]
    BillingRecord.objects.bulk_create(records)
    return notes


def credit_notes_for_negative_drafts(drafts: Sequence[PlannedInvoice], *, on: date,
                                     by) -> Settled:
    """Issue the credits of every draft whose total would be negative as credit notes; keep
    the rest (and the charges of those drafts) as drafts. An account whose credits cannot be
    issued yet is a failure with the reason."""
    settled = Settled([])
    for draft in drafts:
        if draft.subtotal >= 0:
            settled.drafts.append(draft)
            continue
        credits = [line for line in draft.lines if line.kind == ChargeKind.CREDIT]
        reason = _waiting(credits)
        if reason is not None:
            settled.failures[draft.account_id] = reason
            continue
        try:
            with transaction.atomic():
                settled.credit_notes += _issue(credits, currency=draft.currency, on=on, by=by)
        except ValidationError as error:
            settled.failures[draft.account_id] = "Credit note: " + " ".join(error.messages)
            continue
        charges = [line for line in draft.lines if line.kind != ChargeKind.CREDIT]
        if charges:
            settled.drafts.append(PlannedInvoice(draft.account_id, draft.currency, charges))
    return settled
