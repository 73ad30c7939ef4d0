"""An issued invoice or credit note read into the plain `document.Document` the builders take:
the parties, payment means and line VAT it copied when it was issued, its stored amounts. Reads
only (three queries); the XML says what the stored document says.

Invoices issued before the e-invoicing data existed have no copies: their lines' VAT category is
derived from the tax they were charged (S at its rate, else Z, or E for an exempt customer) and
the seller is today's company settings.

An invoice taxed on its net less its early-payment discount ("always" mode,
billing.services.cash_discount_tax) states the discount as a document-level allowance per taxed
category, so each VAT base times its rate is its tax (BR-CO-17), and a zero-rated charge of the
same amount, since the customer owes it unless paying early: the pattern Belgian Peppol
providers document for a conditional cash discount (e.g. Billit's "Cash discount with
allowances/charges"). Its credit notes carry the same back.

Electronic addresses (BT-34, BT-49) are Peppol IDs: the buyer's as its account gives it, else
each party's from its VAT ID (customers.einvoice_ids); a party with neither is addressed by email.
"""

from decimal import Decimal

from billing.einvoice.document import (
    NEEDS_REASON,
    NO_TAX,
    Address,
    AllowanceCharge,
    Category,
    Contact,
    Document,
    DocumentKind,
    Line,
    LineCharge,
    Party,
    PaymentKind,
    PaymentMeans,
    PrecedingInvoice,
)
from billing.services.cash_discount_tax import taxes_discounted_net
from billing.services.document_parties import buyer_copy, seller_copy
from core.money import round_money
from customers.einvoice_ids import peppol_id_for_vat_id

PAYMENT_KINDS = {"credit_transfer": PaymentKind.CREDIT_TRANSFER, "card": PaymentKind.CARD,
                 "direct_debit": PaymentKind.DIRECT_DEBIT}


def peppol_id_of(data: dict) -> str:
    """A party copy's Peppol ID: the one it gives, else the one its VAT ID makes."""
    return data.get("peppol_id") or peppol_id_for_vat_id(data.get("vat_id", ""))


def _party(data: dict, *, seller: bool = False) -> Party:
    """A party from its copy; the seller's carries its contact (BG-6) for whoever asks: the
    company's name, phone and email."""
    legal = data.get("legal_name") or data.get("name", "")
    email = data.get("email", "")
    return Party(legal, Address(data.get("street", ""), data.get("city", ""),
                                data.get("postal_code", ""), data.get("country", ""),
                                data.get("region", "")),
                 vat_id=data.get("vat_id", ""), company_id=data.get("company_id", ""),
                 trading_name=data.get("name", "") if seller and data.get("name") != legal
                 else "",
                 email=email,
                 peppol_id=peppol_id_of(data),
                 contact=Contact(data.get("name") or legal, data.get("phone", ""), email)
                 if seller and email else None)


def _payment_means(data: dict) -> PaymentMeans | None:
    if not data.get("kind"):
        return None
    kind = PAYMENT_KINDS[data["kind"]]
    if kind is PaymentKind.CREDIT_TRANSFER and not data.get("iban"):
        return None  # no account to pay to: the payment terms say the rest
    return PaymentMeans(kind, iban=data.get("iban", ""), bic=data.get("bic", ""),
                        account_name=data.get("account_name", ""),
                        mandate_reference=data.get("mandate_reference", ""),
                        debtor_iban=data.get("debtor_iban", ""),
                        creditor_id=data.get("creditor_id", ""))


def _category(line, exempt: bool) -> tuple[Category, Decimal]:
    if line.vat_category:
        return Category(line.vat_category), line.vat_percent or Decimal(0)
    percent = sum((Decimal(t["percent"]) for t in line.tax_detail or []), Decimal(0))
    if percent:
        return Category.STANDARD, percent
    return (Category.EXEMPT if exempt else Category.ZERO), Decimal(0)


def _levies(line, currency: str) -> tuple[LineCharge, ...]:
    """The line's levies per unit as line charges (BG-28)."""
    return tuple(LineCharge(round_money(Decimal(t["amount"]), currency),
                            f"{t['name']} {t['per_unit']} {currency} per unit")
                 for t in line.tax_detail or [] if "per_unit" in t and Decimal(t["amount"]))


def _line(position: int, line, currency: str, exempt: bool) -> Line:
    category, percent = _category(line, exempt)
    charges = _levies(line, currency)
    levied = sum((c.amount for c in charges), Decimal(0))
    # BT-120 names the provision where the line's treatment gave one (Art. 226(11)): the
    # reason the line keeps, else its exemption's words
    reason = ((line.vat_reason if category in NEEDS_REASON else "")
              or line.vat_exemption_reason
              or ("Exempt from VAT" if category is Category.EXEMPT else ""))
    # a levy is a line charge: in the line's net (its VAT base), out of its VAT
    return Line(str(position), line.description, line.quantity.normalize(),
                line.unit_price.normalize(), round_money(line.amount + levied, currency),
                round_money(line.tax_amount - levied, currency), category, percent, reason,
                line.vat_exemption_code, period_start=line.period_start,
                period_end=line.period_end, charges=charges)


def _cash_discount(lines, invoice, currency: str) -> tuple[AllowanceCharge, ...]:
    """The early-payment discount an "always"-mode invoice was taxed without: an allowance per
    taxed category and rate (the discount of its net) and one zero-rated charge of their sum."""
    percent = invoice.early_discount_percent
    if not taxes_discounted_net(invoice.early_discount_tax_mode, percent, invoice.lines.all()):
        return ()
    bases: dict[tuple[Category, Decimal], Decimal] = {}
    for line in lines:
        if line.category not in NO_TAX and line.percent:
            key = (line.category, line.percent)
            bases[key] = bases.get(key, Decimal(0)) + line.net_amount
    reason = (f"Conditional cash discount of {percent.normalize():f} % if paid within "
              f"{invoice.early_discount_days} days")
    allowances = [AllowanceCharge(False, discount, Decimal(0), reason, category, rate)
                  for (category, rate), base in bases.items()
                  if (discount := round_money(base * percent / 100, currency))]
    if not allowances:
        return ()
    owed = sum((a.amount for a in allowances), Decimal(0))
    return (*allowances, AllowanceCharge(True, owed, Decimal(0), f"{reason}, owed otherwise",
                                         Category.ZERO))


def _delivery(lines, buyer: Party, issued_on) -> dict:
    """An intra-Community supply states where and when the goods went (BR-IC-11, BR-IC-12)."""
    if not any(line.category is Category.INTRA_COMMUNITY for line in lines):
        return {}
    dated = any(line.period_start and line.period_end for line in lines)
    return {"deliver_to_country": buyer.address.country,
            "delivered_on": None if dated else issued_on}


def _terms(instalments, currency: str) -> str:
    if len(instalments) < 2:
        return ""
    return "Instalments: " + "; ".join(f"{round_money(i.amount, currency)} {currency} due "
                                       f"{i.due_on.isoformat()}" for i in instalments)


def invoice_document(invoice) -> Document:
    """The issued invoice as EN 16931 plain data."""
    lines = [_line(n, line, invoice.currency, invoice.tax_exempt)
             for n, line in enumerate(invoice.lines.order_by("position", "pk"), start=1)]
    buyer = _party(invoice.buyer or buyer_copy(invoice.account))
    return Document(
        DocumentKind.INVOICE, invoice.number, invoice.issue_on, invoice.currency,
        _party(invoice.seller or seller_copy(), seller=True), buyer, tuple(lines),
        due_on=invoice.due_on,
        payment_terms=_terms(list(invoice.instalments.order_by("sequence")), invoice.currency),
        notes=tuple(n for n in [invoice.memo.strip()] if n),
        buyer_reference=invoice.buyer_reference, purchase_order=invoice.purchase_order,
        payment_means=_payment_means(invoice.payment_means), rounding=invoice.cash_rounding,
        allowances_charges=_cash_discount(lines, invoice, invoice.currency),
        **_delivery(lines, buyer, invoice.issue_on))


def credit_note_document(credit_note) -> Document:
    """The issued credit note as EN 16931 plain data, referencing the invoice it corrects."""
    invoice = credit_note.invoice
    lines = [_line(n, line, credit_note.currency, invoice.tax_exempt)
             for n, line in enumerate(credit_note.lines.order_by("position", "pk"), start=1)]
    buyer = _party(credit_note.buyer or invoice.buyer or buyer_copy(credit_note.account))
    note = f"{credit_note.get_reason_display()}. {credit_note.reason_note}".strip().rstrip(".")
    return Document(
        DocumentKind.CREDIT_NOTE, credit_note.number, credit_note.issue_on, credit_note.currency,
        _party(credit_note.seller or invoice.seller or seller_copy(), seller=True), buyer,
        tuple(lines), notes=(note + ".",),
        buyer_reference=invoice.buyer_reference, purchase_order=invoice.purchase_order,
        preceding=(PrecedingInvoice(invoice.number, invoice.issue_on),),
        # the invoice's payment instructions say how the credit is settled (BR-DE-1 wants
        # BG-16 on every XRechnung document, credit notes included)
        payment_means=_payment_means(invoice.payment_means),
        allowances_charges=_cash_discount(lines, invoice, credit_note.currency),
        rounding=credit_note.cash_rounding, **_delivery(lines, buyer, credit_note.issue_on))
