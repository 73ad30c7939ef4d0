"""OASIS UBL 2.1 Invoice and CreditNote, EN 16931 with the Peppol BIS Billing 3.0 identifiers
(or XRechnung's). A pure function of `document.Document`; element order follows the UBL 2.1
schemas (the XSD rejects any other).

A document claims Peppol BIS Billing 3.0 when both parties have a Peppol ID to be routed by; one
to a buyer without (a consumer, a business outside Peppol) is plain EN 16931, which is what it
can be: Peppol requires both electronic addresses (PEPPOL-EN16931-R010, R020)."""

from decimal import Decimal

from lxml import etree

from billing.einvoice.document import (
    NO_TAX,
    Category,
    Document,
    DocumentKind,
    Party,
    PaymentKind,
    amount_text,
    plain_number,
    totals,
    unsigned,
)
from core.money import minor_units

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

EN16931 = "urn:cen.eu:en16931:2017"
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
# XRechnung's CIUS, for German public buyers (their Leitweg-ID goes in the buyer reference).
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


class _Writer:
    def __init__(self, currency: str):
        self.currency = currency
        self.places = min(minor_units(currency), 2)

    def el(self, parent, tag: str, text=None, **attrs):
        prefix, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{CAC if prefix == 'cac' else CBC}}}{name}", **attrs)
        if text is not None:
            node.text = str(text)
        return node

    def optional(self, parent, tag: str, text, **attrs):
        """The element only when there is text for it (an optional field of EN 16931)."""
        return self.el(parent, tag, text, **attrs) if text else None

    def amount(self, parent, tag: str, value: Decimal):
        return self.el(parent, tag, amount_text(value, self.places), currencyID=self.currency)


def on_peppol(document: Document) -> bool:
    return bool(document.seller.peppol_id and document.buyer.peppol_id)


def ubl_xml(document: Document, *, customization: str = "") -> bytes:
    """The document as a UBL 2.1 Invoice (380) or CreditNote (381), XML bytes; its specification
    identifier (BT-24) is `customization`, else Peppol BIS when both parties are on Peppol."""
    customization = customization or (PEPPOL if on_peppol(document) else EN16931)
    credit = document.kind is DocumentKind.CREDIT_NOTE
    w = _Writer(document.currency)
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
                         nsmap={None: namespace, "cac": CAC, "cbc": CBC})
    w.el(root, "cbc:CustomizationID", customization)
    w.el(root, "cbc:ProfileID", PEPPOL_PROFILE)
    w.el(root, "cbc:ID", document.number)
    w.el(root, "cbc:IssueDate", document.issued_on.isoformat())
    if document.due_on and not credit:
        w.el(root, "cbc:DueDate", document.due_on.isoformat())
    w.el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", document.kind.value)
    for note in document.notes:
        w.el(root, "cbc:Note", note)
    w.el(root, "cbc:DocumentCurrencyCode", document.currency)
    if document.buyer_reference:
        w.el(root, "cbc:BuyerReference", document.buyer_reference)
    if period := document.period:
        node = w.el(root, "cac:InvoicePeriod")
        w.el(node, "cbc:StartDate", period[0].isoformat())
        w.el(node, "cbc:EndDate", period[1].isoformat())
    if document.purchase_order:
        w.el(w.el(root, "cac:OrderReference"), "cbc:ID", document.purchase_order)
    for preceding in document.preceding:
        reference = w.el(w.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.el(reference, "cbc:ID", preceding.number)
        if preceding.issued_on:
            w.el(reference, "cbc:IssueDate", preceding.issued_on.isoformat())
    means = document.payment_means
    _party(w, w.el(root, "cac:AccountingSupplierParty"), document.seller,
           creditor_id=means.creditor_id
           if means and means.kind is PaymentKind.DIRECT_DEBIT else "")
    _party(w, w.el(root, "cac:AccountingCustomerParty"), document.buyer)
    _delivery(w, root, document)
    _payment(w, root, document, credit)
    for item in document.allowances_charges:
        _allowance_charge(w, root, item)
    _tax_total(w, root, document)
    _monetary_total(w, root, document)
    for line in unsigned(document.lines):
        _line(w, root, line, credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _party(w: _Writer, parent, party: Party, *, creditor_id: str = "") -> None:
    """A party; the seller's SEPA creditor ID (BT-90) is its identification with scheme SEPA
    (Peppol BIS Billing 3.0, where the payee is the seller)."""
    node = w.el(parent, "cac:Party")
    if endpoint := party.endpoint:
        w.el(node, "cbc:EndpointID", endpoint[1], schemeID=endpoint[0])
    if creditor_id:
        w.el(w.el(node, "cac:PartyIdentification"), "cbc:ID", creditor_id, schemeID="SEPA")
    if party.trading_name:
        w.el(w.el(node, "cac:PartyName"), "cbc:Name", party.trading_name)
    _address(w, node, party.address)
    if party.vat_id:
        scheme = w.el(node, "cac:PartyTaxScheme")
        w.el(scheme, "cbc:CompanyID", party.vat_id)
        w.el(w.el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = w.el(node, "cac:PartyLegalEntity")
    w.el(legal, "cbc:RegistrationName", party.name)
    w.optional(legal, "cbc:CompanyID", party.company_id)
    if contact := party.contact:
        node = w.el(node, "cac:Contact")
        w.optional(node, "cbc:Name", contact.name)
        w.optional(node, "cbc:Telephone", contact.phone)
        w.optional(node, "cbc:ElectronicMail", contact.email)


def _address(w: _Writer, parent, address) -> None:
    node = w.el(parent, "cac:PostalAddress")
    w.optional(node, "cbc:StreetName", address.street)
    w.optional(node, "cbc:CityName", address.city)
    w.optional(node, "cbc:PostalZone", address.postal_code)
    w.optional(node, "cbc:CountrySubentity", address.region)
    w.el(w.el(node, "cac:Country"), "cbc:IdentificationCode", address.country)


def _delivery(w: _Writer, parent, document: Document) -> None:
    if not (document.delivered_on or document.deliver_to_country):
        return
    delivery = w.el(parent, "cac:Delivery")
    if document.delivered_on:
        w.el(delivery, "cbc:ActualDeliveryDate", document.delivered_on.isoformat())
    if document.deliver_to_country:
        address = w.el(w.el(delivery, "cac:DeliveryLocation"), "cac:Address")
        w.el(w.el(address, "cac:Country"), "cbc:IdentificationCode", document.deliver_to_country)


def _payment(w: _Writer, parent, document: Document, credit: bool) -> None:
    if means := document.payment_means:
        node = w.el(parent, "cac:PaymentMeans")
        w.el(node, "cbc:PaymentMeansCode", means.kind.value)
        if credit and document.due_on:
            w.el(node, "cbc:PaymentDueDate", document.due_on.isoformat())
        if not credit:
            w.el(node, "cbc:PaymentID", document.number)
        _means_account(w, node, means)
    if document.payment_terms:
        w.el(w.el(parent, "cac:PaymentTerms"), "cbc:Note", document.payment_terms)


def _means_account(w: _Writer, node, means) -> None:
    """The card, the payee's account or the debtor's mandate, as the means' kind needs."""
    if means.kind is PaymentKind.CARD and means.card_number:
        card = w.el(node, "cac:CardAccount")
        w.el(card, "cbc:PrimaryAccountNumberID", means.card_number)
        w.el(card, "cbc:NetworkID", means.card_network or "NA")
        w.optional(card, "cbc:HolderName", means.card_holder)
    if means.kind is PaymentKind.CREDIT_TRANSFER and means.iban:
        account = w.el(node, "cac:PayeeFinancialAccount")
        w.el(account, "cbc:ID", means.iban)
        w.optional(account, "cbc:Name", means.account_name)
        if means.bic:
            w.el(w.el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", means.bic)
    if means.kind is PaymentKind.DIRECT_DEBIT and means.mandate_reference:
        mandate = w.el(node, "cac:PaymentMandate")
        w.el(mandate, "cbc:ID", means.mandate_reference)
        if means.debtor_iban:
            w.el(w.el(mandate, "cac:PayerFinancialAccount"), "cbc:ID", means.debtor_iban)


def _category(w: _Writer, parent, tag: str, category: Category, percent: Decimal,
              reason: str = "", code: str = "") -> None:
    node = w.el(parent, tag)
    w.el(node, "cbc:ID", category.value)
    if category is not Category.OUTSIDE_SCOPE:
        w.el(node, "cbc:Percent", "0" if category in NO_TAX else plain_number(percent))
    if code:
        w.el(node, "cbc:TaxExemptionReasonCode", code)
    if reason:
        w.el(node, "cbc:TaxExemptionReason", reason)
    w.el(w.el(node, "cac:TaxScheme"), "cbc:ID", "VAT")


def _allowance_charge(w: _Writer, parent, item) -> None:
    node = w.el(parent, "cac:AllowanceCharge")
    w.el(node, "cbc:ChargeIndicator", "true" if item.charge else "false")
    if item.reason_code:
        w.el(node, "cbc:AllowanceChargeReasonCode", item.reason_code)
    w.el(node, "cbc:AllowanceChargeReason", item.reason)
    w.amount(node, "cbc:Amount", item.amount)
    _category(w, node, "cac:TaxCategory", item.category, item.percent)


def _tax_total(w: _Writer, parent, document: Document) -> None:
    sums = totals(document)
    node = w.el(parent, "cac:TaxTotal")
    w.amount(node, "cbc:TaxAmount", sums.vat)
    for vat in sums.breakdown:
        subtotal = w.el(node, "cac:TaxSubtotal")
        w.amount(subtotal, "cbc:TaxableAmount", vat.taxable)
        w.amount(subtotal, "cbc:TaxAmount", vat.tax)
        _category(w, subtotal, "cac:TaxCategory", vat.category, vat.percent,
                  vat.exemption_reason, vat.exemption_code)


def _monetary_total(w: _Writer, parent, document: Document) -> None:
    sums = totals(document)
    node = w.el(parent, "cac:LegalMonetaryTotal")
    w.amount(node, "cbc:LineExtensionAmount", sums.lines)
    w.amount(node, "cbc:TaxExclusiveAmount", sums.without_vat)
    w.amount(node, "cbc:TaxInclusiveAmount", sums.with_vat)
    if document.allowances_charges:
        w.amount(node, "cbc:AllowanceTotalAmount", sums.allowances)
        w.amount(node, "cbc:ChargeTotalAmount", sums.charges)
    if sums.prepaid:
        w.amount(node, "cbc:PrepaidAmount", sums.prepaid)
    if sums.rounding:
        w.amount(node, "cbc:PayableRoundingAmount", sums.rounding)
    w.amount(node, "cbc:PayableAmount", sums.due)


def _line(w: _Writer, parent, line, credit: bool) -> None:
    node = w.el(parent, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    w.el(node, "cbc:ID", line.id)
    w.el(node, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
         plain_number(line.quantity), unitCode=line.unit_code)
    w.amount(node, "cbc:LineExtensionAmount", line.net_amount)
    if line.period_start and line.period_end:
        period = w.el(node, "cac:InvoicePeriod")
        w.el(period, "cbc:StartDate", line.period_start.isoformat())
        w.el(period, "cbc:EndDate", line.period_end.isoformat())
    for charge in line.charges:
        levy = w.el(node, "cac:AllowanceCharge")
        w.el(levy, "cbc:ChargeIndicator", "true")
        w.el(levy, "cbc:AllowanceChargeReasonCode", charge.reason_code)
        w.el(levy, "cbc:AllowanceChargeReason", charge.reason)
        w.amount(levy, "cbc:Amount", charge.amount)
    item = w.el(node, "cac:Item")
    w.el(item, "cbc:Name", line.name)
    _category(w, item, "cac:ClassifiedTaxCategory", line.category, line.percent)
    price = w.el(node, "cac:Price")
    w.el(price, "cbc:PriceAmount", plain_number(line.unit_price), currencyID=w.currency)
