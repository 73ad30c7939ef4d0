"""Billing's tables, one module per concept: what was billed (`records`), invoice runs (`runs`),
invoices with their lines, taxes and due schedule (`invoices`), usage (`usage`) and credit notes
(`credit_notes`), and documents sent by post (`postal`)."""

from billing.models.credit_notes import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteState,
    CreditNoteTax,
)
from billing.models.invoices import (
    DueInstalment,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    InvoiceTax,
    LineSource,
)
from billing.models.postal import PostalCopy, PostalState
from billing.models.records import BillingRecord, RecordKind
from billing.models.runs import InvoiceRun, InvoiceRunChunk, InvoiceRunFailure, RunState
from billing.models.usage import UsageImport, UsageRecord

__all__ = [
    "BillingRecord", "CreditNote", "CreditNoteLine", "CreditNoteReason",
    "CreditNoteState", "CreditNoteTax", "DueInstalment", "Invoice", "InvoiceKind", "InvoiceLine",
    "InvoiceRun", "InvoiceRunChunk", "InvoiceRunFailure", "InvoiceState", "InvoiceTax",
    "LineSource", "PostalCopy", "PostalState", "RecordKind", "RunState", "UsageImport",
    "UsageRecord",
]
