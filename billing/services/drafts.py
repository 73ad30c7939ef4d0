"""Finance's work on drafts before issue: manual invoices and charges, line edits, discarding.

Every change re-taxes the whole draft (its rounding policy may round tax per document and the
total to a cash step), so a draft's
totals always add up to its lines. Discarding deletes the draft: its billing records go with it
and the charges bill again on the next run.

Invoices made whole (an account and its charges; the API and imports) go through
`create_invoices`, one or thousands at once: every charge checked (each bad one named by its
invoice and line, nothing written if any is bad), taxed with the rates read once per country,
written in one insert per table, and issued in the same transaction when asked (numbers,
due schedules and journals by `issue_invoices`). A manual draft made empty in the browser is the
same verb with one invoice and no charges.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceTax, LineSource
from billing.selectors import invoice_for_update
from billing.services.document_parties import LINE_VAT_FIELDS, line_vat, place_of
from billing.services.issuing import issue_written_drafts
from billing.services.taxing import (
    Place,
    TaxableLine,
    TaxBook,
    TaxedDocument,
    invoice_policy,
    places_of,
    policy_columns,
    standard_policies,
    tax_lines,
)
from core.actors import require
from core.bulk_rows import insert_rows
from core.dates import business_date
from core.money import round_money
from customers.models import Account

# A line's amount stays below the money columns' 15 integer digits (a larger one overflows).
MAX_LINE_AMOUNT = 10 ** 13


EDIT_DRAFTS = "billing.edit_draft_invoice"
EDIT_REFUSAL = "You are not allowed to edit draft invoices."


def _locked_draft(invoice) -> Invoice:
    invoice = invoice_for_update(invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(f"{invoice} is issued: an issued invoice never changes; issue a "
                              "credit note instead.")
    return invoice


@dataclass(frozen=True)
class Charge:
    """A charge typed by a person or sent by the API (negative unit price: a discount)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_category: str = ""
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class NewInvoice:
    """An invoice to create: the account (or its id), its charges, and its currency (empty: the
    account's)."""

    account: object
    charges: Sequence[Charge] = ()
    currency: str = ""
    memo: str = ""


def _tax_rows(invoice: Invoice, document: TaxedDocument) -> list[InvoiceTax]:
    return [InvoiceTax(invoice=invoice, name=t.name, percent=t.percent, country=t.country,
                       region=t.region, taxable_amount=t.taxable_amount, tax_amount=t.tax_amount,
                       per_unit_amount=t.per_unit)
            for t in document.totals]


def _set_totals(invoice: Invoice, lines: Sequence[InvoiceLine], document: TaxedDocument,
                place: Place) -> None:
    """The taxes of each line and the invoice's totals, in memory; a draft never totals below
    zero (the credit is a credit note)."""
    if document.total < 0:
        raise ValidationError({"unit_price": f"{invoice} cannot total less than zero (this "
                                             f"would make it {document.total} "
                                             f"{invoice.currency}); give the customer a credit "
                                             "note instead."})
    for line, (tax_amount, detail), treatment in zip(lines, document.line_taxes,
                                                     document.line_vat, strict=True):
        line.tax_amount, line.tax_detail = tax_amount, detail
        for name, value in line_vat(treatment, detail).items():  # as issue labels it
            setattr(line, name, value)
    invoice.subtotal, invoice.tax_total = document.subtotal, document.tax
    invoice.total = invoice.amount_due = document.total
    invoice.cash_rounding = document.cash_rounding
    invoice.tax_exempt = place.exempt


def _taxable(line: InvoiceLine) -> TaxableLine:
    """A line as taxing reads it: a tax-inclusive price from its gross (its net is what is left
    once the tax is taken out, by the invoice's inclusive rounding rule), else from its net."""
    if line.inclusive_amount is not None:
        return TaxableLine(line.inclusive_amount, line.tax_category or None, inclusive=True,
                           quantity=line.quantity)
    return TaxableLine(line.amount, line.tax_category or None, quantity=line.quantity)


def _taxed(invoice: Invoice, lines: Sequence[InvoiceLine], place: Place, on: date,
           book: TaxBook) -> TaxedDocument:
    document = tax_lines([_taxable(line) for line in lines], currency=invoice.currency,
                         place=place, on=on, book=book, policy=invoice_policy(invoice))
    for line, net in zip(lines, document.line_nets, strict=True):
        line.amount = net  # an exclusive line's own amount; an inclusive one's extracted net
    return document


def retax(invoice: Invoice, *, on: date | None = None) -> Invoice:
    """Recompute every line's tax and the draft's totals (inside the caller's transaction)."""
    lines = list(invoice.lines.order_by("position"))
    place = places_of([invoice.account_id])[invoice.account_id]
    document = _taxed(invoice, lines, place, business_date(on), TaxBook())
    _set_totals(invoice, lines, document, place)
    InvoiceLine.objects.bulk_update(lines, ["amount", "tax_amount", "tax_detail",
                                            *LINE_VAT_FIELDS])
    invoice.taxes.all().delete()
    InvoiceTax.objects.bulk_create(_tax_rows(invoice, document))
    invoice.save(update_fields=["subtotal", "tax_total", "total", "cash_rounding",
                                "amount_due", "tax_exempt", "updated_at"])
    return invoice


def _amount(quantity: Decimal, unit_price: Decimal, invoice: Invoice) -> Decimal:
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": "The quantity must be more than zero."})
    if unit_price is None:
        raise ValidationError({"unit_price": "Give a unit price."})
    if abs(Decimal(str(quantity)) * Decimal(str(unit_price))) >= MAX_LINE_AMOUNT:
        raise ValidationError({"unit_price": f"The charge of {quantity} × {unit_price} is too "
                                             f"large (a line stays below {MAX_LINE_AMOUNT:,})."})
    # the tie as the invoice's price book breaks it (catalog.rounding)
    return round_money(quantity * unit_price, invoice.currency,
                       rounding=invoice_policy(invoice).mode.decimal)


def _charge_line(invoice: Invoice, position: int, charge: Charge) -> InvoiceLine:
    """The draft line of a charge, checked (ValidationError names the field)."""
    if not (charge.description or "").strip():
        raise ValidationError({"description": "Describe the charge."})
    if charge.period_start and charge.period_end and charge.period_end < charge.period_start:
        raise ValidationError({"period_end": "The period ends before it starts."})
    try:
        quantity = None if charge.quantity is None else Decimal(charge.quantity)
        unit_price = None if charge.unit_price is None else Decimal(charge.unit_price)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"unit_price": "The quantity and unit price are numbers."}) \
            from None
    if not all(v is None or v.is_finite() for v in (quantity, unit_price)):
        raise ValidationError({"unit_price": "The quantity and unit price are numbers."})
    amount = _amount(quantity, unit_price, invoice)
    return InvoiceLine(invoice=invoice, position=position, source=LineSource.MANUAL,
                       description=charge.description.strip()[:255], quantity=quantity,
                       unit_price=unit_price, amount=amount,
                       tax_category=charge.tax_category or "",
                       period_start=charge.period_start, period_end=charge.period_end)


def _worded(error: ValidationError) -> str:
    return " ".join(message for messages in error.message_dict.values()
                    for message in messages) if hasattr(error, "error_dict") \
        else " ".join(error.messages)


def _built(items: Sequence[NewInvoice], user, day: date) -> tuple[list, list[str]]:
    """Each invoice with its checked lines, in memory, keeping its currency's standard price
    book's rounding policy; every bad row worded with its place."""
    accounts = Account.objects.select_related("payment_terms").in_bulk(
        {getattr(item.account, "pk", item.account) for item in items})  # the terms to issue
    policies = standard_policies(set(settings.CURRENCIES), day)
    built, errors = [], []
    for n, item in enumerate(items, start=1):
        account = accounts.get(getattr(item.account, "pk", item.account))
        if account is None:
            errors.append(f"Invoice {n}: there is no account {item.account}.")
            continue
        currency = (item.currency or account.currency).upper()
        if currency not in settings.CURRENCIES:
            errors.append(f"Invoice {n} ({account}): {currency} is not one of the currencies "
                          "in use.")
            continue
        invoice = Invoice(kind=InvoiceKind.MANUAL, account=account, currency=currency,
                          memo=(item.memo or "").strip(), created_by=user,
                          tax_exempt=account.tax_exempt, **policy_columns(policies[currency]))
        lines = []
        for position, charge in enumerate(item.charges, start=1):
            try:
                lines.append(_charge_line(invoice, position, charge))
            except ValidationError as error:
                errors.append(f"Invoice {n} ({account}), line {position}: {_worded(error)}")
        built.append((invoice, lines))
    return built, errors


def _taxed_all(built, on: date, book: TaxBook) -> tuple[list[list[InvoiceTax]], list[str]]:
    """Tax every invoice in memory by `book`: each one's tax totals' rows."""
    places = {invoice.account_id: place_of(invoice.account) for invoice, _ in built}
    taxes, errors = [], []
    for n, (invoice, lines) in enumerate(built, start=1):
        place = places[invoice.account_id]
        try:
            document = _taxed(invoice, lines, place, on, book)
            _set_totals(invoice, lines, document, place)
        except ValidationError as error:
            errors.append(f"Invoice {n} ({invoice.account}): {_worded(error)}")
        except (ValueError, ArithmeticError) as error:
            errors.append(f"Invoice {n} ({invoice.account}): cannot be taxed ({error}).")
        else:
            taxes.append(_tax_rows(invoice, document))
    return taxes, errors


@transaction.atomic
def create_invoices(*, by, invoices: Sequence[NewInvoice], on: date | None = None,
                    issue: bool = False) -> list[Invoice]:
    """Draft invoices with their charges, taxed as of `on` (issued too when `issue`), in the
    order given; any bad invoice or charge refuses them all, each named."""
    actor = require(by, EDIT_DRAFTS, EDIT_REFUSAL)
    if issue:
        require(actor, "billing.issue_invoice", "You are not allowed to issue invoices.")
    day = business_date(on)
    built, errors = _built(list(invoices), actor.user, day)
    if not errors:  # the rates read once per country, the categories once to tax and issue
        book = TaxBook.for_countries({invoice.account.country for invoice, _ in built})
        taxes, errors = _taxed_all(built, day, book)
    if errors:
        raise ValidationError(errors)
    created = insert_rows(Invoice, [invoice for invoice, _ in built])
    insert_rows(InvoiceLine, [line for _, lines in built for line in lines])
    insert_rows(InvoiceTax, [tax for rows in taxes for tax in rows])
    if issue:
        return issue_written_drafts([(invoice, lines, rows) for (invoice, lines), rows
                                     in zip(built, taxes, strict=True)], actor=actor, day=day,
                                    book=book)
    return created


def create_manual_invoice(*, account, by, currency: str = "", memo: str = "") -> Invoice:
    """An empty draft for an account, in its currency unless told otherwise."""
    return create_invoices(by=by, invoices=[NewInvoice(account, (), currency, memo)])[0]


@transaction.atomic
def add_manual_charge(*, invoice, by, description: str, quantity: Decimal, unit_price: Decimal,
                      tax_category: str = "", period_start: date | None = None,
                      period_end: date | None = None, on: date | None = None) -> InvoiceLine:
    """A charge typed by finance on a draft (negative unit price: a manual discount)."""
    require(by, EDIT_DRAFTS, EDIT_REFUSAL)
    invoice = _locked_draft(invoice)
    position = (invoice.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    line = _charge_line(invoice, position, Charge(description, quantity, unit_price,
                                                  tax_category, period_start, period_end))
    if invoice.lines.filter(inclusive_amount__isnull=False).exists():
        # the draft's prices include tax (its price book's): so does a charge typed on it
        line.inclusive_amount = line.amount
    line.save()
    retax(invoice, on=on)
    return line


@transaction.atomic
def update_line(*, line, by, description: str, quantity: Decimal, unit_price: Decimal,
                on: date | None = None) -> InvoiceLine:
    """Change a draft line's text, quantity or price; a billed charge keeps its period, and its
    billing record follows the new amount."""
    require(by, EDIT_DRAFTS, EDIT_REFUSAL)
    invoice = _locked_draft(line.invoice)
    line = InvoiceLine.objects.get(pk=line.pk, invoice=invoice)
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the charge."})
    line.description, line.quantity, line.unit_price = description.strip()[:255], quantity, \
        unit_price
    line.amount = _amount(quantity, unit_price, invoice)
    if line.inclusive_amount is not None:  # a gross price: retax takes the net out of it
        line.inclusive_amount = line.amount
    line.save(update_fields=["description", "quantity", "unit_price", "amount",
                             "inclusive_amount"])
    if hasattr(line, "billing_record"):  # billed as the price reads: gross when inclusive
        line.billing_record.amount = line.amount
        line.billing_record.save(update_fields=["amount"])
    retax(invoice, on=on)
    return line


@transaction.atomic
def remove_line(*, line, by, on: date | None = None) -> Invoice:
    """Take a line off a draft; a billed charge is released and bills again next run."""
    require(by, EDIT_DRAFTS, EDIT_REFUSAL)
    invoice = _locked_draft(line.invoice)
    InvoiceLine.objects.filter(pk=line.pk, invoice=invoice).delete()
    return retax(invoice, on=on)


@transaction.atomic
def discard_draft(*, invoice, by) -> None:
    """Delete a draft with its lines; its billing records are released (the charges bill
    again)."""
    require(by, EDIT_DRAFTS, EDIT_REFUSAL)
    invoice = _locked_draft(invoice)
    invoice.delete()


@transaction.atomic
def update_references(*, invoice, by, purchase_order: str = "", buyer_reference: str = "",
                      on: date | None = None) -> Invoice:
    """Set a draft's PO number and buyer reference (empty: the account's, copied on issue) and
    re-tax it with the account's VAT treatment as it stands now (say, its VAT ID arrived)."""
    require(by, EDIT_DRAFTS, EDIT_REFUSAL)
    invoice = _locked_draft(invoice)
    invoice.purchase_order = (purchase_order or "").strip()[:100]
    invoice.buyer_reference = (buyer_reference or "").strip()[:200]
    invoice.save(update_fields=["purchase_order", "buyer_reference", "updated_at"])
    return retax(invoice, on=on)
