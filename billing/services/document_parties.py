"""What an invoice or credit note copies when it is issued, so it keeps its own: the seller (the
company settings), the buyer (the account's names, address and VAT ID), how it is paid, and each
line's VAT category and exemption reason (decided again by rule and checked against the tax the
draft charged). Plain dicts; the e-invoice builders read them back (billing.einvoice.documents).
"""

from collections.abc import Sequence
from decimal import Decimal

from billing.services.taxing import Place, TaxBook
from catalog import tax
from core.company import seller
from customers.models import PaymentMeans, compact_vat_id

# A line's VAT labels: set when it is taxed (line_vat), checked and set again on issue.
LINE_VAT_FIELDS = ["vat_category", "vat_percent", "vat_exemption_reason", "vat_exemption_code",
                   "vat_reason", "vat_article"]
SELLER_FIELDS = ("name", "legal_name", "street", "city", "postal_code", "country", "vat_id",
                 "company_id", "email", "phone")


def seller_copy(company=None) -> dict:
    company = company or seller()
    return {name: getattr(company, name) for name in SELLER_FIELDS}


def buyer_copy(account) -> dict:
    return {"name": account.name, "legal_name": account.legal_name or account.name,
            "street": account.billing_street, "city": account.billing_city,
            "postal_code": account.billing_postal_code, "country": account.country,
            "region": account.region,
            "vat_id": compact_vat_id(account.vat_id, account.country),
            "language": account.document_language, "company_id": account.tax_id,
            "peppol_id": account.peppol_id}


def payment_means_copy(account, company=None) -> dict:
    """The way this invoice is paid: to our bank account, by card, or by the customer's mandate.
    `company`: the seller's settings when the caller has read them already (a batch reads them
    once: read per invoice, they were a twentieth of issuing a run)."""
    company = company or seller()
    means = {"kind": account.payment_means or PaymentMeans.CREDIT_TRANSFER}
    if means["kind"] == PaymentMeans.CREDIT_TRANSFER:
        means.update(iban=company.iban, bic=company.bic, account_name=company.legal_name)
    elif means["kind"] == PaymentMeans.DIRECT_DEBIT:
        # the SEPA creditor identifier (BT-90) is the company's (an empty one leaves
        # XRechnung's BR-DE-30 to say so)
        means.update(mandate_reference=account.mandate_reference,
                     debtor_iban=account.debtor_iban, creditor_id=company.creditor_id)
    return means


def place_of(account) -> Place:
    return Place(account.country, account.region, account.tax_exempt, account.vat_id,
                 account.tax_exemption_reason)


def line_vat(treatment: tax.VatTreatment, tax_detail: Sequence[dict]) -> dict:
    """A line's VAT fields from its treatment and the taxes it was charged."""
    percent = sum((Decimal(t["percent"]) for t in tax_detail), Decimal(0))
    category = treatment.category
    if category is tax.VatCategory.STANDARD and not percent:
        category = tax.VatCategory.ZERO
    exemption = treatment.exemption
    return {"vat_category": category.value,
            "vat_percent": percent if treatment.charged else Decimal(0),
            "vat_exemption_reason": exemption.reason if exemption else "",
            "vat_exemption_code": exemption.code if exemption else "",
            "vat_reason": treatment.note[:300], "vat_article": treatment.article}


def mistaxed(treatment: tax.VatTreatment, tax_amount: Decimal) -> bool:
    """True when the draft charged tax that the treatment says is not due (it was taxed before
    the account's VAT ID or the EU rules applied)."""
    return not treatment.charged and tax_amount != 0


def label_lines(lines, place: Place, book: TaxBook) -> list[str]:
    """Set each line's VAT fields in memory; returns the descriptions of lines mistaxed.

    A distance sale keeps the side of the EUR 10,000 threshold it was taxed on (Art. 59c): that
    depends on the year's sales when it was taxed, which issuing does not decide again."""
    wrong = []
    for line in lines:
        treatment = book.treatment(place, line.tax_category or None)
        if mistaxed(treatment, line.tax_amount):
            wrong.append(line.description)
        labels = line_vat(treatment, line.tax_detail or [])
        if treatment.distance_sale and line.vat_article in tax.DISTANCE_SALE_ARTICLES:
            del labels["vat_reason"], labels["vat_article"]
        for name, value in labels.items():
            setattr(line, name, value)
    return wrong
