"""XRechnung 3.0, the German CIUS of EN 16931 for public buyers, in UBL: the BR-DE rules a
document from our builder can break, checked in Python with their rule IDs, flags and (English)
texts from KoSIT's `src/validation/schematron/ubl/XRechnung-UBL-validation.sch`
(github.com/itplr-kosit/xrechnung-schematron, Apache-2.0).

Why our own: that repository holds the Schematron sources only; the compiled XSLT that
`billing.einvoice.validation` could run comes with KoSIT's release archives, not the repository.
Checked here:
- BR-DE-1 payment instructions (BG-16); BR-DE-15 buyer reference (BT-10, the Leitweg-ID);
- BR-DE-2, 5, 6, 7 the seller's contact (BG-6) with name, phone and email; BR-DE-27 and 28 their
  form (warnings);
- BR-DE-3, 4 the seller's city and post code; BR-DE-8, 9 the buyer's; BR-DE-10, 11 the
  deliver-to address's when one is given;
- BR-DE-14 a rate on each VAT breakdown; BR-DE-16 the seller's VAT ID when VAT categories
  S, Z, E, AE, K, G, L or M are used;
- BR-DE-17 the type code (warning); BR-DE-21 the specification identifier (warning);
- BR-DE-23, 24, 25 the payment means' groups (credit transfer, card, direct debit) and BR-DE-30,
  31 a direct debit's creditor ID and debited account; BR-DE-19 the IBAN (warning).
"""

import re
from dataclasses import dataclass

from lxml import etree

from billing.einvoice.finding import Finding
from billing.einvoice.ubl import CAC, CBC, XRECHNUNG

NS = {"cac": CAC, "cbc": CBC}
TYPE_CODES = {"326", "380", "384", "389", "381", "875", "876", "877"}
SELLER_VAT_CATEGORIES = {"S", "Z", "E", "AE", "K", "G", "L", "M"}
# KoSIT's $XR-TELEPHONE-REGEX and $XR-EMAIL-REGEX.
PHONE = re.compile(r".*([0-9].*){3,}.*")
EMAIL = re.compile(r"[^@\s]{2,}@[^@\s.][^@\s]*\.[^@\s]{2,}")


def claims_xrechnung(root) -> bool:
    return (root.findtext("cbc:CustomizationID", "", NS) or "").strip().startswith(XRECHNUNG)


def findings(xml: bytes) -> list[Finding]:
    """Every BR-DE rule above that the UBL document breaks."""
    root = etree.fromstring(xml)
    where = f"/{etree.QName(root).localname}"
    found = []

    def text(node, path: str) -> str:
        return " ".join((node.findtext(path, "", NS) or "").split()) if node is not None else ""

    def check(ok: bool, rule: str, path: str, message: str, flag: str = "fatal") -> None:
        if not ok:
            found.append(Finding(rule, flag, f"{where}/{path}" if path else where, message))

    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    check(root.find("cac:PaymentMeans", NS) is not None, "BR-DE-1", "",
          'An invoice must contain "PAYMENT INSTRUCTIONS" (BG-16).')
    check(bool(text(root, "cbc:BuyerReference")), "BR-DE-15", "cbc:BuyerReference",
          'The element "Buyer reference" (BT-10) must be provided.')
    type_code = text(root, "cbc:InvoiceTypeCode") or text(root, "cbc:CreditNoteTypeCode")
    check(type_code in TYPE_CODES, "BR-DE-17", "cbc:InvoiceTypeCode",
          f'The "Invoice type code" (BT-3) should be one of {", ".join(sorted(TYPE_CODES))}.',
          "warning")
    check(text(root, "cbc:CustomizationID") == XRECHNUNG, "BR-DE-21", "cbc:CustomizationID",
          f'The "Specification identifier" (BT-24) should be {XRECHNUNG}.', "warning")
    contact = seller.find("cac:Contact", NS) if seller is not None else None
    party = "cac:AccountingSupplierParty/cac:Party"
    check(contact is not None, "BR-DE-2", party, 'The group "SELLER CONTACT" (BG-6) must be '
                                                  "provided.")
    if contact is not None:
        phone, email = text(contact, "cbc:Telephone"), text(contact, "cbc:ElectronicMail")
        check(bool(text(contact, "cbc:Name")), "BR-DE-5", f"{party}/cac:Contact",
              'The element "Seller contact point" (BT-41) must be provided.')
        check(bool(phone), "BR-DE-6", f"{party}/cac:Contact",
              'The element "Seller contact telephone number" (BT-42) must be provided.')
        check(bool(email), "BR-DE-7", f"{party}/cac:Contact",
              'The element "Seller contact email address" (BT-43) must be provided.')
        check(not phone or bool(PHONE.fullmatch(phone)), "BR-DE-27",
              f"{party}/cac:Contact/cbc:Telephone",
              "BT-42 should contain at least three digits.", "warning")
        check(not email or bool(EMAIL.fullmatch(email)), "BR-DE-28",
              f"{party}/cac:Contact/cbc:ElectronicMail",
              "BT-43 should contain exactly one @, flanked by at least two characters that "
              "are neither spaces nor dots.", "warning")
    addresses = ((("BR-DE-3", "BR-DE-4"), f"{party}/cac:PostalAddress", "Seller", True),
                 (("BR-DE-8", "BR-DE-9"), "cac:AccountingCustomerParty/cac:Party/"
                                          "cac:PostalAddress", "Buyer", True),
                 (("BR-DE-10", "BR-DE-11"), "cac:Delivery/cac:DeliveryLocation/cac:Address",
                  "Deliver to", False))
    for (city_rule, code_rule), path, who, required in addresses:
        address = root.find(path, NS)
        if address is None and not required:
            continue
        check(bool(text(address, "cbc:CityName")), city_rule, path,
              f'The element "{who} city" must be provided.')
        check(bool(text(address, "cbc:PostalZone")), code_rule, path,
              f'The element "{who} post code" must be provided.')
    for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS):
        check(bool(text(subtotal, "cac:TaxCategory/cbc:Percent")), "BR-DE-14",
              "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory",
              'The element "VAT category rate" (BT-119) must be provided.')
    categories = {text(c, "cbc:ID") for c in root.iterfind(".//cac:ClassifiedTaxCategory", NS)}
    categories |= {text(c, "cbc:ID") for c in root.iterfind("cac:TaxTotal//cac:TaxCategory", NS)}
    seller_vat = any(text(s, "cac:TaxScheme/cbc:ID") in ("VAT", "FC") and text(s, "cbc:CompanyID")
                     for s in (seller.findall("cac:PartyTaxScheme", NS)
                               if seller is not None else []))
    check(seller_vat or root.find("cac:TaxRepresentativeParty", NS) is not None
          or not categories & SELLER_VAT_CATEGORIES, "BR-DE-16", party,
          'With VAT categories S, Z, E, AE, K, G, L or M, the "Seller VAT identifier" (BT-31), '
          'the "Seller tax registration identifier" (BT-32) or the "SELLER TAX REPRESENTATIVE '
          'PARTY" (BG-11) must be provided.')
    found += _payment_means(root, where)
    return found


def _payment_means(root, where: str) -> list[Finding]:
    found = []
    for means in root.findall("cac:PaymentMeans", NS):
        code = (means.findtext("cbc:PaymentMeansCode", "", NS) or "").strip()
        parts = _MeansParts(transfer=means.find("cac:PayeeFinancialAccount", NS),
                            card=means.find("cac:CardAccount", NS),
                            mandate=means.find("cac:PaymentMandate", NS))
        rules = _MEANS_RULES.get(code)
        found += [Finding(rule, flag, f"{where}/cac:PaymentMeans", message)
                  for rule, message, flag in (rules(root, code, parts) if rules else ())]
    return found


@dataclass(frozen=True)
class _MeansParts:
    transfer: object  # each an element, or None when the means does not carry it
    card: object
    mandate: object


def _transfer_rules(root, code: str, parts: _MeansParts):
    from stdnum import iban

    if parts.transfer is None:
        yield ("BR-DE-23-a", 'With a credit transfer (30, 58), "CREDIT TRANSFER" (BG-17) '
                             "must be provided.", "fatal")
    if parts.card is not None or parts.mandate is not None:
        yield ("BR-DE-23-b", "With a credit transfer (30, 58), BG-18 and BG-19 must not be "
                             "provided.", "fatal")
    account = parts.transfer.findtext("cbc:ID", "", NS) if parts.transfer is not None else ""
    if code == "58" and account and not iban.is_valid(account):
        yield "BR-DE-19", f"{account} is not a valid IBAN (BT-84).", "warning"


def _card_rules(root, code: str, parts: _MeansParts):
    if parts.card is None:
        yield ("BR-DE-24-a", 'With a card payment (48, 54, 55), "PAYMENT CARD INFORMATION" '
                             "(BG-18) must be provided.", "fatal")
    if parts.transfer is not None or parts.mandate is not None:
        yield ("BR-DE-24-b", "With a card payment, BG-17 and BG-19 must not be provided.",
               "fatal")


def _debit_rules(root, code: str, parts: _MeansParts):
    if parts.mandate is None:
        yield ("BR-DE-25-a", 'With a direct debit (59), "DIRECT DEBIT" (BG-19) must be '
                             "provided.", "fatal")
    if parts.transfer is not None or parts.card is not None:
        yield ("BR-DE-25-b", "With a direct debit, BG-17 and BG-18 must not be provided.",
               "fatal")
    if parts.mandate is None:
        return
    if not root.xpath("cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/"
                      "cbc:ID[@schemeID='SEPA']", namespaces=NS):
        yield ("BR-DE-30", 'With a direct debit, the "Bank assigned creditor identifier" '
                           "(BT-90) must be provided.", "fatal")
    if not parts.mandate.findtext("cac:PayerFinancialAccount/cbc:ID", "", NS):
        yield ("BR-DE-31", 'With a direct debit, the "Debited account identifier" (BT-91) '
                           "must be provided.", "fatal")


# The payment means codes (UNTDID 4461) XRechnung's BR-DE-23 to 25 speak of.
_MEANS_RULES = {"30": _transfer_rules, "58": _transfer_rules, "48": _card_rules,
                "54": _card_rules, "55": _card_rules, "59": _debit_rules}
