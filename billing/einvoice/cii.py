"""UN/CEFACT Cross Industry Invoice (D16B), EN 16931 profile: the XML of Factur-X and ZUGFeRD
(and, with its guideline, of XRechnung CII). A pure function of `document.Document`.

Element order follows the Factur-X 1.0 EN 16931 schema, which the standard's XSD enforces.
"""

from datetime import date
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

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}

EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


class _Writer:
    def __init__(self, currency: str):
        self.places = min(minor_units(currency), 2)

    def el(self, parent, tag: str, text=None, **attrs):
        prefix, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
        if text is not None:
            node.text = str(text)
        return node

    def optional(self, parent, tag: str, text, **attrs):
        """The element only when there is text for it (an optional field of EN 16931)."""
        return self.el(parent, tag, text, **attrs) if text else None

    def amount(self, parent, tag: str, value: Decimal, **attrs):
        return self.el(parent, tag, amount_text(value, self.places), **attrs)

    def day(self, parent, tag: str, value: date, qualified=False):
        node = self.el(parent, tag)
        self.el(node, "qdt:DateTimeString" if qualified else "udt:DateTimeString",
                value.strftime("%Y%m%d"), format="102")
        return node


def cii_xml(document: Document, *, guideline: str = EN16931) -> bytes:
    """The document as CII XML bytes (UTF-8, with declaration)."""
    w = _Writer(document.currency)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = w.el(root, "rsm:ExchangedDocumentContext")
    w.el(w.el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", guideline)
    header = w.el(root, "rsm:ExchangedDocument")
    w.el(header, "ram:ID", document.number)
    w.el(header, "ram:TypeCode", document.kind.value)
    w.day(header, "ram:IssueDateTime", document.issued_on)
    for note in document.notes:
        w.el(w.el(header, "ram:IncludedNote"), "ram:Content", note)
    transaction = w.el(root, "rsm:SupplyChainTradeTransaction")
    for line in unsigned(document.lines):
        _line(w, transaction, line)
    _agreement(w, transaction, document)
    _delivery(w, transaction, document)
    _settlement(w, transaction, document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _line(w: _Writer, parent, line) -> None:
    item = w.el(parent, "ram:IncludedSupplyChainTradeLineItem")
    w.el(w.el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.id)
    w.el(w.el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.name)
    agreement = w.el(item, "ram:SpecifiedLineTradeAgreement")
    w.el(w.el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount",
         plain_number(line.unit_price))
    w.el(w.el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity",
         plain_number(line.quantity), unitCode=line.unit_code)
    settlement = w.el(item, "ram:SpecifiedLineTradeSettlement")
    tax = w.el(settlement, "ram:ApplicableTradeTax")
    w.el(tax, "ram:TypeCode", "VAT")
    w.el(tax, "ram:CategoryCode", line.category.value)
    if line.category is not Category.OUTSIDE_SCOPE:
        w.el(tax, "ram:RateApplicablePercent",
             "0" if line.category in NO_TAX else plain_number(line.percent))
    if line.period_start and line.period_end:
        period = w.el(settlement, "ram:BillingSpecifiedPeriod")
        w.day(period, "ram:StartDateTime", line.period_start)
        w.day(period, "ram:EndDateTime", line.period_end)
    for charge in line.charges:
        node = w.el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        w.el(w.el(node, "ram:ChargeIndicator"), "udt:Indicator", "true")
        w.amount(node, "ram:ActualAmount", charge.amount)
        w.el(node, "ram:ReasonCode", charge.reason_code)
        w.el(node, "ram:Reason", charge.reason)
    summation = w.el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    w.amount(summation, "ram:LineTotalAmount", line.net_amount)


def _party(w: _Writer, parent, tag: str, party: Party) -> None:
    node = w.el(parent, tag)
    w.el(node, "ram:Name", party.name)
    if party.company_id or party.trading_name:
        legal = w.el(node, "ram:SpecifiedLegalOrganization")
        w.optional(legal, "ram:ID", party.company_id)
        w.optional(legal, "ram:TradingBusinessName", party.trading_name)
    if party.contact:
        _contact(w, node, party.contact)
    _address(w, node, party.address)
    if endpoint := party.endpoint:
        w.el(w.el(node, "ram:URIUniversalCommunication"), "ram:URIID", endpoint[1],
             schemeID=endpoint[0])
    if party.vat_id:
        w.el(w.el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")


def _contact(w: _Writer, parent, contact) -> None:
    node = w.el(parent, "ram:DefinedTradeContact")
    w.optional(node, "ram:PersonName", contact.name)
    if contact.phone:
        w.el(w.el(node, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber",
             contact.phone)
    if contact.email:
        w.el(w.el(node, "ram:EmailURIUniversalCommunication"), "ram:URIID", contact.email)


def _address(w: _Writer, parent, address) -> None:
    node = w.el(parent, "ram:PostalTradeAddress")
    w.optional(node, "ram:PostcodeCode", address.postal_code)
    w.optional(node, "ram:LineOne", address.street)
    w.optional(node, "ram:CityName", address.city)
    w.el(node, "ram:CountryID", address.country)
    w.optional(node, "ram:CountrySubDivisionName", address.region)


def _agreement(w: _Writer, parent, document: Document) -> None:
    agreement = w.el(parent, "ram:ApplicableHeaderTradeAgreement")
    if document.buyer_reference:
        w.el(agreement, "ram:BuyerReference", document.buyer_reference)
    _party(w, agreement, "ram:SellerTradeParty", document.seller)
    _party(w, agreement, "ram:BuyerTradeParty", document.buyer)
    if document.purchase_order:
        w.el(w.el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID",
             document.purchase_order)


def _delivery(w: _Writer, parent, document: Document) -> None:
    delivery = w.el(parent, "ram:ApplicableHeaderTradeDelivery")
    if document.deliver_to_country:
        ship_to = w.el(delivery, "ram:ShipToTradeParty")
        w.el(w.el(ship_to, "ram:PostalTradeAddress"), "ram:CountryID",
             document.deliver_to_country)
    if document.delivered_on:
        event = w.el(delivery, "ram:ActualDeliverySupplyChainEvent")
        w.day(event, "ram:OccurrenceDateTime", document.delivered_on)


def _settlement(w: _Writer, parent, document: Document) -> None:
    sums = totals(document)
    settlement = w.el(parent, "ram:ApplicableHeaderTradeSettlement")
    means = document.payment_means
    direct_debit = means if means and means.kind is PaymentKind.DIRECT_DEBIT else None
    w.optional(settlement, "ram:CreditorReferenceID", direct_debit and direct_debit.creditor_id)
    if document.kind is DocumentKind.INVOICE:
        w.el(settlement, "ram:PaymentReference", document.number)
    w.el(settlement, "ram:InvoiceCurrencyCode", document.currency)
    if means:
        _payment_means(w, settlement, means)
    for vat in sums.breakdown:
        _header_tax(w, settlement, vat)
    if period := document.period:
        node = w.el(settlement, "ram:BillingSpecifiedPeriod")
        w.day(node, "ram:StartDateTime", period[0])
        w.day(node, "ram:EndDateTime", period[1])
    for item in document.allowances_charges:
        _allowance_charge(w, settlement, item)
    _payment_terms(w, settlement, document, direct_debit and direct_debit.mandate_reference)
    _summation(w, settlement, document, sums)
    for preceding in document.preceding:
        reference = w.el(settlement, "ram:InvoiceReferencedDocument")
        w.el(reference, "ram:IssuerAssignedID", preceding.number)
        if preceding.issued_on:
            w.day(reference, "ram:FormattedIssueDateTime", preceding.issued_on, qualified=True)


def _header_tax(w: _Writer, parent, vat) -> None:
    tax = w.el(parent, "ram:ApplicableTradeTax")
    w.amount(tax, "ram:CalculatedAmount", vat.tax)
    w.el(tax, "ram:TypeCode", "VAT")
    w.optional(tax, "ram:ExemptionReason", vat.exemption_reason)
    w.amount(tax, "ram:BasisAmount", vat.taxable)
    w.el(tax, "ram:CategoryCode", vat.category.value)
    w.optional(tax, "ram:ExemptionReasonCode", vat.exemption_code)
    if vat.category is not Category.OUTSIDE_SCOPE:
        w.el(tax, "ram:RateApplicablePercent", plain_number(vat.percent))


def _payment_terms(w: _Writer, parent, document: Document, mandate_reference) -> None:
    """The terms, the due date and a direct debit's mandate, when there is any of them."""
    if not (document.payment_terms or document.due_on or mandate_reference):
        return
    terms = w.el(parent, "ram:SpecifiedTradePaymentTerms")
    w.optional(terms, "ram:Description", document.payment_terms)
    if document.due_on:
        w.day(terms, "ram:DueDateDateTime", document.due_on)
    w.optional(terms, "ram:DirectDebitMandateID", mandate_reference)


def _summation(w: _Writer, parent, document: Document, sums) -> None:
    summation = w.el(parent, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    w.amount(summation, "ram:LineTotalAmount", sums.lines)
    if document.allowances_charges:
        w.amount(summation, "ram:ChargeTotalAmount", sums.charges)
        w.amount(summation, "ram:AllowanceTotalAmount", sums.allowances)
    w.amount(summation, "ram:TaxBasisTotalAmount", sums.without_vat)
    w.amount(summation, "ram:TaxTotalAmount", sums.vat, currencyID=document.currency)
    if sums.rounding:
        w.amount(summation, "ram:RoundingAmount", sums.rounding)
    w.amount(summation, "ram:GrandTotalAmount", sums.with_vat)
    if sums.prepaid:
        w.amount(summation, "ram:TotalPrepaidAmount", sums.prepaid)
    w.amount(summation, "ram:DuePayableAmount", sums.due)


def _payment_means(w: _Writer, parent, means) -> None:
    node = w.el(parent, "ram:SpecifiedTradeSettlementPaymentMeans")
    w.el(node, "ram:TypeCode", means.kind.value)
    if means.kind is PaymentKind.CARD and means.card_number:
        card = w.el(node, "ram:ApplicableTradeSettlementFinancialCard")
        w.el(card, "ram:ID", means.card_number)
        if means.card_holder:
            w.el(card, "ram:CardholderName", means.card_holder)
    if means.kind is PaymentKind.DIRECT_DEBIT and means.debtor_iban:
        w.el(w.el(node, "ram:PayerPartyDebtorFinancialAccount"), "ram:IBANID", means.debtor_iban)
    if means.kind is PaymentKind.CREDIT_TRANSFER and means.iban:
        account = w.el(node, "ram:PayeePartyCreditorFinancialAccount")
        w.el(account, "ram:IBANID", means.iban)
        if means.account_name:
            w.el(account, "ram:AccountName", means.account_name)
        if means.bic:
            w.el(w.el(node, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID",
                 means.bic)


def _allowance_charge(w: _Writer, parent, item) -> None:
    node = w.el(parent, "ram:SpecifiedTradeAllowanceCharge")
    indicator = w.el(node, "ram:ChargeIndicator")
    w.el(indicator, "udt:Indicator", "true" if item.charge else "false")
    w.amount(node, "ram:ActualAmount", item.amount)
    if item.reason_code:
        w.el(node, "ram:ReasonCode", item.reason_code)
    w.el(node, "ram:Reason", item.reason)
    tax = w.el(node, "ram:CategoryTradeTax")
    w.el(tax, "ram:TypeCode", "VAT")
    w.el(tax, "ram:CategoryCode", item.category.value)
    if item.category is not Category.OUTSIDE_SCOPE:
        w.el(tax, "ram:RateApplicablePercent",
             "0" if item.category in NO_TAX else plain_number(item.percent))
