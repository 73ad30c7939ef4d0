"""Peppol BIS Billing 3.0's own rules on top of EN 16931, for a UBL invoice or credit note that
claims its specification identifier: our checks, written from the rule texts of OpenPEPPOL's
`rules/sch/PEPPOL-EN16931-UBL.sch` (release 2025-Q2), with their rule IDs.

Why our own: OpenPEPPOL's repository (github.com/OpenPEPPOL/peppol-bis-invoice-3) holds the
Schematron sources only, not the compiled XSLT that `billing.einvoice.validation` runs; so the
rules a document from our builder can break are checked here, in Python:
- R001 / R007: the business process (BT-23), urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0;
- R002: at most one note (BT-22) unless seller and buyer are both German;
- R003: a buyer reference (BT-10) or a purchase order reference (BT-13);
- R004: the specification identifier (BT-24);
- R010 / R020: the buyer's and the seller's electronic address (BT-49, BT-34);
- CL008: each address's scheme from the EAS code list;
- COMMON-R040, R041, R043: a GLN, a Norwegian organization number, a Belgian enterprise number
  in their own formats;
- R053: one tax total with subtotals.
"""

import re

from lxml import etree

from billing.einvoice.finding import Finding
from billing.einvoice.ubl import CAC, CBC, PEPPOL
from customers.einvoice_ids import EAS_CODES, peppol_id_errors

NS = {"cac": CAC, "cbc": CBC}
PROFILE = re.compile(r"urn:fdc:peppol\.eu:2017:poacc:billing:[0-9]{2}:1\.0")
IDENTIFIER_RULES = {"0088": "PEPPOL-COMMON-R040", "0192": "PEPPOL-COMMON-R041",
                    "0208": "PEPPOL-COMMON-R043"}
PARTIES = {"AccountingSupplierParty": ("PEPPOL-EN16931-R020", "Seller"),
           "AccountingCustomerParty": ("PEPPOL-EN16931-R010", "Buyer")}


def claims_peppol(root) -> bool:
    return (root.findtext("cbc:CustomizationID", "", NS) or "").strip().startswith(PEPPOL)


def _text(root, path: str) -> str:
    return (root.findtext(path, "", NS) or "").strip()


def findings(xml: bytes) -> list[Finding]:
    """Every Peppol BIS rule above that the UBL document breaks (all fatal)."""
    root = etree.fromstring(xml)
    where = f"/{etree.QName(root).localname}"
    return [Finding(rule, "fatal", location, text) for check in (
        _process, _specification, _notes, _references, _endpoints, _tax_total)
        for rule, location, text in check(root, where)]


def _process(root, where: str):
    profile = _text(root, "cbc:ProfileID")
    if not profile:
        yield "PEPPOL-EN16931-R001", where, "Business process MUST be provided."
    elif not PROFILE.fullmatch(profile):
        yield ("PEPPOL-EN16931-R007", f"{where}/cbc:ProfileID",
               "Business process MUST be in the format "
               "'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0'.")


def _specification(root, where: str):
    if not _text(root, "cbc:CustomizationID").startswith(PEPPOL):
        yield ("PEPPOL-EN16931-R004", f"{where}/cbc:CustomizationID",
               f"Specification identifier MUST have the value '{PEPPOL}'.")


def _notes(root, where: str):
    countries = [_text(root, f"cac:{party}/cac:Party/cac:PostalAddress/cac:Country/"
                             "cbc:IdentificationCode") for party in PARTIES]
    if len(root.findall("cbc:Note", NS)) > 1 and countries != ["DE", "DE"]:
        yield ("PEPPOL-EN16931-R002", f"{where}/cbc:Note",
               "No more than one note is allowed on document level, unless both the buyer and "
               "seller are German organizations.")


def _references(root, where: str):
    if not (_text(root, "cbc:BuyerReference") or _text(root, "cac:OrderReference/cbc:ID")):
        yield ("PEPPOL-EN16931-R003", where,
               "A buyer reference or purchase order reference MUST be provided.")


def _endpoints(root, where: str):
    for party, (rule, who) in PARTIES.items():
        path = f"cac:{party}/cac:Party/cbc:EndpointID"
        endpoint = root.find(path, NS)
        if endpoint is None:
            yield (rule, f"{where}/cac:{party}/cac:Party",
                   f"{who} electronic address MUST be provided.")
            continue
        scheme, identifier = endpoint.get("schemeID", ""), (endpoint.text or "").strip()
        if scheme not in EAS_CODES:
            yield ("PEPPOL-EN16931-CL008", f"{where}/{path}",
                   f"Electronic address identifier scheme must be from the codelist "
                   f"'Electronic Address Identifier Scheme' (got '{scheme}').")
        elif scheme in IDENTIFIER_RULES and (errors := peppol_id_errors(
                f"{scheme}:{identifier}")):
            yield IDENTIFIER_RULES[scheme], f"{where}/{path}", errors[0]


def _tax_total(root, where: str):
    if len(root.xpath("cac:TaxTotal[cac:TaxSubtotal]", namespaces=NS)) != 1:
        yield ("PEPPOL-EN16931-R053", where,
               "Only one tax total with tax subtotals MUST be provided.")
