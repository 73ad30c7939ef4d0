"""Finance's work on drafts before issue: manual invoices and charges, line edits, discarding.

Every change re-taxes the whole draft (the rounding setting may round per invoice), so a draft's
totals always add up to its lines. Discarding deletes the draft: its billing records go with it
and the charges bill again on the next run.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceTax, LineSource
from billing.selectors import invoice_for_update
from billing.services.taxing import TaxableLine, TaxBook, places_of, tax_lines
from core.actors import as_actor
from core.dates import business_date
from core.money import round_money

# A line's amount stays below the money columns' 15 integer digits (a larger one overflows).
MAX_LINE_AMOUNT = 10 ** 13


def _require(by):
    actor = as_actor(by)
    if not actor.has_perm("billing.edit_draft_invoice"):
        raise PermissionDenied("You are not allowed to edit draft invoices.")
    return actor


def _locked_draft(invoice) -> Invoice:
    invoice = invoice_for_update(invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(f"{invoice} is issued: an issued invoice never changes; issue a "
                              "credit note instead.")
    return invoice


def retax(invoice: Invoice, *, on: date | None = None) -> Invoice:
    """Recompute every line's tax and the draft's totals (inside the caller's transaction)."""
    lines = list(invoice.lines.order_by("position"))
    place = places_of([invoice.account_id])[invoice.account_id]
    document = tax_lines([TaxableLine(line.amount, line.tax_category or None) for line in lines],
                         currency=invoice.currency, place=place, on=business_date(on),
                         book=TaxBook())
    for line, (tax_amount, detail) in zip(lines, document.line_taxes, strict=True):
        line.tax_amount, line.tax_detail = tax_amount, detail
    InvoiceLine.objects.bulk_update(lines, ["tax_amount", "tax_detail"])
    invoice.taxes.all().delete()
    InvoiceTax.objects.bulk_create([
        InvoiceTax(invoice=invoice, name=t.name, percent=t.percent, country=t.country,
                   region=t.region, taxable_amount=t.taxable_amount, tax_amount=t.tax_amount)
        for t in document.totals])
    if document.total < 0:
        raise ValidationError({"unit_price": f"{invoice} cannot total less than zero (this "
                                             f"would make it {document.total} "
                                             f"{invoice.currency}); give the customer a credit "
                                             "note instead."})
    invoice.subtotal, invoice.tax_total = document.subtotal, document.tax
    invoice.total = invoice.amount_due = document.total
    invoice.tax_exempt = place.exempt
    invoice.save(update_fields=["subtotal", "tax_total", "total", "amount_due", "tax_exempt",
                                "updated_at"])
    return invoice


def _amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": "The quantity must be more than zero."})
    if unit_price is None:
        raise ValidationError({"unit_price": "Give a unit price."})
    if abs(Decimal(str(quantity)) * Decimal(str(unit_price))) >= MAX_LINE_AMOUNT:
        raise ValidationError({"unit_price": f"The charge of {quantity} × {unit_price} is too "
                                             f"large (a line stays below {MAX_LINE_AMOUNT:,})."})
    return round_money(quantity * unit_price, currency)


@transaction.atomic
def create_manual_invoice(*, account, by, currency: str = "", memo: str = "") -> Invoice:
    """An empty draft for an account, in its currency unless told otherwise."""
    actor = _require(by)
    currency = (currency or account.currency).upper()
    return Invoice.objects.create(kind=InvoiceKind.MANUAL, account=account, currency=currency,
                                  memo=memo, created_by=actor.user, tax_exempt=account.tax_exempt)


@transaction.atomic
def add_manual_charge(*, invoice, by, description: str, quantity: Decimal, unit_price: Decimal,
                      tax_category: str = "", period_start: date | None = None,
                      period_end: date | None = None, on: date | None = None) -> InvoiceLine:
    """A charge typed by finance on a draft (negative unit price: a manual discount)."""
    _require(by)
    invoice = _locked_draft(invoice)
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the charge."})
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": "The period ends before it starts."})
    amount = _amount(quantity, unit_price, invoice.currency)
    position = (invoice.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    line = InvoiceLine.objects.create(
        invoice=invoice, position=position, source=LineSource.MANUAL,
        description=description.strip()[:255], quantity=quantity, unit_price=unit_price,
        amount=amount, tax_category=tax_category, period_start=period_start,
        period_end=period_end)
    retax(invoice, on=on)
    return line


@transaction.atomic
def update_line(*, line, by, description: str, quantity: Decimal, unit_price: Decimal,
                on: date | None = None) -> InvoiceLine:
    """Change a draft line's text, quantity or price; a billed charge keeps its period, and its
    billing record follows the new amount."""
    _require(by)
    invoice = _locked_draft(line.invoice)
    line = InvoiceLine.objects.get(pk=line.pk, invoice=invoice)
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the charge."})
    line.description, line.quantity, line.unit_price = description.strip()[:255], quantity, \
        unit_price
    line.amount = _amount(quantity, unit_price, invoice.currency)
    line.save(update_fields=["description", "quantity", "unit_price", "amount"])
    if hasattr(line, "billing_record"):
        line.billing_record.amount = line.amount
        line.billing_record.save(update_fields=["amount"])
    retax(invoice, on=on)
    return line


@transaction.atomic
def remove_line(*, line, by, on: date | None = None) -> Invoice:
    """Take a line off a draft; a billed charge is released and bills again next run."""
    _require(by)
    invoice = _locked_draft(line.invoice)
    InvoiceLine.objects.filter(pk=line.pk, invoice=invoice).delete()
    return retax(invoice, on=on)


@transaction.atomic
def discard_draft(*, invoice, by) -> None:
    """Delete a draft with its lines; its billing records are released (the charges bill
    again)."""
    _require(by)
    invoice = _locked_draft(invoice)
    invoice.delete()


@transaction.atomic
def update_references(*, invoice, by, purchase_order: str = "", buyer_reference: str = "",
                      on: date | None = None) -> Invoice:
    """Set a draft's PO number and buyer reference (empty: the account's, copied on issue) and
    re-tax it with the account's VAT treatment as it stands now (say, its VAT ID arrived)."""
    _require(by)
    invoice = _locked_draft(invoice)
    invoice.purchase_order = (purchase_order or "").strip()[:100]
    invoice.buyer_reference = (buyer_reference or "").strip()[:200]
    invoice.save(update_fields=["purchase_order", "buyer_reference", "updated_at"])
    return retax(invoice, on=on)
