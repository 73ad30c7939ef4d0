"""The contract's customer documents: the contract and an amendment to it, each its context and
template, rendered by `core.pdf`. Nothing here writes."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string

from catalog.charge_schedule import ChargeKind
from contracts.selectors import charge_schedule_of
from core.money import round_money
from core.pdf import PdfUnavailable, letterhead, render_pdf

TEMPLATE = "contracts/pdf/contract.html"
AMENDMENT_TEMPLATE = "contracts/pdf/amendment.html"

__all__ = ["PdfUnavailable", "amendment_pdf_context", "contract_pdf_context",
           "render_amendment_html", "render_amendment_pdf", "render_contract_html",
           "render_contract_pdf"]


@dataclass(frozen=True)
class ScheduledInvoice:
    """The contract's rows due on one day: what one invoice run bills then, before tax."""

    due_on: date
    rows: tuple
    amount: Decimal
    usage: bool


def invoices_of(rows, currency: str) -> list[ScheduledInvoice]:
    """Schedule rows grouped by due date (usage rows hold no amount: billed as used)."""
    by_day = defaultdict(list)
    for row in rows:
        by_day[row.due_on].append(row)
    return [ScheduledInvoice(day, tuple(by_day[day]), round_money(
        sum((r.amount for r in by_day[day]), Decimal(0)), currency),
        any(r.kind == ChargeKind.USAGE for r in by_day[day])) for day in sorted(by_day)]


def contract_pdf_context(contract) -> dict:
    """Letterhead, parties, term, lines, the billing schedule (its stored rows), terms and
    conditions, and the signature block."""
    lines = list(contract.lines.select_related("product").order_by("position", "pk"))
    return {
        "contract": contract,
        "lines": lines,
        "schedule": invoices_of(charge_schedule_of(contract), contract.currency),
        "company": letterhead(),
        "account": contract.account,
        "currency": contract.currency,
    }


def render_contract_html(contract) -> str:
    return render_to_string(TEMPLATE, contract_pdf_context(contract))


def render_contract_pdf(contract) -> bytes:
    """The contract's PDF bytes, rendered now from its stored lines and terms."""
    return render_pdf(TEMPLATE, contract_pdf_context(contract))


def amendment_pdf_context(amendment) -> dict:
    """What changes, what it credits and charges now and over the term, the new recurring
    total and the next invoices (`contracts.documents.amendment_document`)."""
    # contracts.documents prices through the services, which render the contract PDF: import
    # here, not at module level, so the services can import this module.
    from contracts.documents import amendment_document

    contract = amendment.contract
    return {
        "document": amendment_document(amendment),
        "amendment": amendment,
        "contract": contract,
        "quote": amendment.quote,
        "company": letterhead(),
        "account": contract.account,
        "contact": amendment.quote.contact,
        "currency": contract.currency,
    }


def render_amendment_html(amendment) -> str:
    return render_to_string(AMENDMENT_TEMPLATE, amendment_pdf_context(amendment))


def render_amendment_pdf(amendment) -> bytes:
    return render_pdf(AMENDMENT_TEMPLATE, amendment_pdf_context(amendment))
