"""CII and UBL built from worked documents pass the official EN 16931 rules (CEN/TC 434
validation 1.3.16, XSLT 2.0 through Saxon) and the schemas, with zero fatal findings; broken
documents are caught with the rule that names what to fix. No database."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from lxml import etree

from billing.einvoice import cii, ubl, validation
from billing.einvoice.document import Category, totals, vat_breakdown
from tests.billing.einvoice import examples

BUILDERS = {"cii": cii.cii_xml, "ubl": ubl.ubl_xml}
RAM = {"ram": cii.RAM, "rsm": cii.RSM}
UBL_NS = {"cac": ubl.CAC, "cbc": ubl.CBC}


@pytest.mark.parametrize("syntax", BUILDERS)
@pytest.mark.parametrize("example", examples.ALL)
def test_every_worked_document_passes_the_official_rules(example, syntax):
    xml = BUILDERS[syntax](examples.ALL[example]())

    found = validation.findings(xml, syntax)

    assert validation.fatal(found) == []


def rules_broken(document, syntax):
    return {f.rule for f in validation.fatal(validation.findings(BUILDERS[syntax](document),
                                                                 syntax))}


@pytest.mark.parametrize("syntax", BUILDERS)
def test_reverse_charge_without_the_buyers_vat_id_or_the_wording_is_refused(syntax):
    document = examples.reverse_charge()
    broken = replace(document, buyer=replace(document.buyer, vat_id=""),
                     lines=(replace(document.lines[0], exemption_reason="",
                                    exemption_code=""),))

    assert rules_broken(broken, syntax) == {"BR-AE-02", "BR-AE-10"}


@pytest.mark.parametrize("syntax", BUILDERS)
def test_an_intra_community_supply_needs_the_delivery_date_and_country(syntax):
    broken = replace(examples.intra_community(), delivered_on=None, deliver_to_country="")

    assert rules_broken(broken, syntax) == {"BR-IC-11", "BR-IC-12"}


@pytest.mark.parametrize("syntax", BUILDERS)
def test_a_tax_that_is_not_the_rate_of_its_base_breaks_br_co_17(syntax):
    document = examples.zero_rated()
    broken = replace(document, lines=(replace(document.lines[0], category=Category.STANDARD,
                                              percent=D(19), tax_amount=D("200.00")),))

    assert "BR-CO-17" in rules_broken(broken, syntax)


def test_an_element_out_of_place_fails_the_schema_before_the_rules():
    xml = cii.cii_xml(examples.zero_rated()).replace(b"<ram:TypeCode>380",
                                                     b"<ram:Foo/><ram:TypeCode>380")

    [finding] = validation.findings(xml, "cii")

    assert finding.rule == "XSD" and "Foo" in finding.text


def test_check_raises_naming_each_fatal_rule():
    document = replace(examples.reverse_charge(), buyer=replace(examples.BELGIAN_BUYER,
                                                                vat_id=""))
    with pytest.raises(validation.EInvoiceInvalid, match="BR-AE-02"):
        validation.check(ubl.ubl_xml(document), "ubl")


def test_two_rates_make_two_breakdowns_that_add_up_to_the_totals():
    document = examples.standard_multi_rate()

    breakdown = vat_breakdown(document)
    sums = totals(document)

    assert [(b.category, b.percent, b.taxable, b.tax) for b in breakdown] == [
        (Category.STANDARD, D(7), D("49.90"), D("3.49")),
        (Category.STANDARD, D(19), D("499.00"), D("94.81"))]
    assert (sums.without_vat, sums.vat, sums.with_vat, sums.due) == (
        D("548.90"), D("98.30"), D("647.20"), D("647.20"))


def test_allowance_and_charge_move_the_base_of_their_category():
    sums = totals(examples.with_allowance_and_charge())

    assert (sums.lines, sums.allowances, sums.charges, sums.without_vat, sums.vat,
            sums.with_vat) == (D("1000.00"), D("100.00"), D("50.00"), D("950.00"), D("180.50"),
                               D("1130.50"))


def test_the_cii_says_the_po_buyer_reference_and_payment_account():
    tree = etree.fromstring(cii.cii_xml(examples.standard_multi_rate()))

    assert tree.findtext(".//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
                         namespaces=RAM) == "PO-4711"
    assert tree.findtext(".//ram:BuyerReference", namespaces=RAM) == "04011000-12345-34"
    assert tree.findtext(".//ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
                         namespaces=RAM) == "DE89370400440532013000"
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=RAM) == "647.20"


def test_the_reverse_charge_wording_and_code_are_in_the_vat_breakdown():
    tree = etree.fromstring(ubl.ubl_xml(examples.reverse_charge()))
    category = tree.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", UBL_NS)

    assert category.findtext("cbc:ID", namespaces=UBL_NS) == "AE"
    assert category.findtext("cbc:TaxExemptionReason", namespaces=UBL_NS) == "Reverse charge"
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=UBL_NS) == "VATEX-EU-AE"


def test_yen_amounts_have_no_decimals():
    tree = etree.fromstring(ubl.ubl_xml(examples.yen_invoice()))

    assert tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                         namespaces=UBL_NS) == "53550"


def test_a_credit_note_references_the_invoice_it_corrects():
    ubl_tree = etree.fromstring(ubl.ubl_xml(examples.partial_credit_note()))
    cii_tree = etree.fromstring(cii.cii_xml(examples.partial_credit_note()))

    assert ubl_tree.tag == f"{{{ubl.CREDIT_NOTE_NS}}}CreditNote"
    assert ubl_tree.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                             namespaces=UBL_NS) == "INV-2026-000101"
    assert cii_tree.findtext(".//ram:TypeCode", namespaces=RAM) == "381"
    assert cii_tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
                             namespaces=RAM) == "INV-2026-000101"


def test_a_negative_line_keeps_a_positive_price_and_a_negative_quantity():
    tree = etree.fromstring(ubl.ubl_xml(examples.credit_line_on_invoice()))
    second = tree.findall("cac:InvoiceLine", UBL_NS)[1]

    assert second.findtext("cbc:InvoicedQuantity", namespaces=UBL_NS) == "-1"
    assert second.findtext("cac:Price/cbc:PriceAmount", namespaces=UBL_NS) == "120"
    assert second.findtext("cbc:LineExtensionAmount", namespaces=UBL_NS) == "-120.00"


def test_a_three_decimal_amount_is_refused_rather_than_rounded():
    document = examples.zero_rated()
    odd = replace(document, lines=(replace(document.lines[0], net_amount=D("1200.005")),))

    with pytest.raises(ValueError, match="BR-DEC"):
        cii.cii_xml(odd)


def test_xrechnung_guideline_is_an_option():
    tree = etree.fromstring(ubl.ubl_xml(examples.standard_multi_rate(),
                                        customization=ubl.XRECHNUNG))

    assert tree.findtext("cbc:CustomizationID", namespaces=UBL_NS) == ubl.XRECHNUNG


def test_readiness_names_the_settings_an_e_invoice_would_miss():
    from billing.einvoice.readiness import gaps

    found = gaps(seller={"name": "Q2C", "country": "", "vat_id": ""},
                 buyer={"country": "BE", "vat_id": ""}, categories={"S", "AE"})

    assert found == [
        "BR-09: the seller's country (BT-40) is not set (COMPANY_COUNTRY).",
        "BR-AE-02, BR-S-02: the seller's VAT ID (BT-31) is not set (COMPANY_VAT_ID).",
        "BR-AE-02: the buyer's VAT ID (BT-48) is not set on the account."]
    assert gaps(seller={"name": "Q2C", "country": "DE", "vat_id": "DE123456788"},
                buyer={"country": "DE"}, categories={"S"}) == []
