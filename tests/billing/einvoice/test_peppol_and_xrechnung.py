"""Peppol BIS Billing 3.0 and XRechnung 3.0 on top of EN 16931: documents with both parties on
Peppol claim BIS 3.0 and pass its rules (endpoint IDs with their scheme); a German public buyer
receives XRechnung with its Leitweg-ID as the buyer reference; documents that break either are
caught with the rule's ID. The rules are our checks of OpenPEPPOL's PEPPOL-EN16931-UBL.sch
(2025-Q2) and KoSIT's XRechnung-UBL-validation.sch, since neither repository ships the compiled
XSLT; the EN 16931 rules still run from the official XSLT."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree

from billing.einvoice import cii, ubl, validation
from billing.einvoice.document import Contact, PaymentKind, PaymentMeans
from billing.services import documents
from billing.services.credit_notes import issue_credit_note
from billing.services.drafts import add_manual_charge, create_manual_invoice, update_references
from billing.services.einvoicing import einvoice_xml
from billing.services.issuing import issue_invoice
from customers.einvoice_ids import leitweg_id_errors, peppol_id_errors, peppol_id_for_vat_id
from customers.services.accounts import update_account
from tests.billing.einvoice import examples
from tests.billing.einvoice.conftest import ON, account, issue

UBL_NS = {"cac": ubl.CAC, "cbc": ubl.CBC}
SELLER = replace(examples.SELLER, peppol_id="9930:DE123456788",
                 contact=Contact("Accounts receivable", "+49 30 1234567", "billing@q2c.example"))
BELGIAN_BUYER = replace(examples.BELGIAN_BUYER, peppol_id="0208:0477472701")
LEITWEG_ID = "04011000-1234512345-06"  # KoSIT's example, valid check digits
PUBLIC_BUYER = replace(examples.GERMAN_BUYER, name="Bundesamt für Beispiele",
                       peppol_id=f"0204:{LEITWEG_ID}")


def peppol_invoice(**changes):
    document = replace(examples.reverse_charge(), seller=SELLER, buyer=BELGIAN_BUYER,
                       buyer_reference="AP-2026")
    return replace(document, **changes)


def xrechnung_invoice(**changes):
    document = replace(examples.standard_multi_rate(), seller=SELLER, buyer=PUBLIC_BUYER,
                       buyer_reference=LEITWEG_ID)
    return replace(document, **changes)


def fatal_rules(xml: bytes) -> set[str]:
    return {f.rule for f in validation.fatal(validation.findings(xml, "ubl"))}


def test_an_invoice_between_two_peppol_participants_claims_bis_3_and_passes_its_rules():
    xml = ubl.ubl_xml(peppol_invoice())
    tree = etree.fromstring(xml)

    assert tree.findtext("cbc:CustomizationID", namespaces=UBL_NS) == ubl.PEPPOL
    assert validation.findings(xml, "ubl") == []
    endpoints = [(e.get("schemeID"), e.text) for e in tree.iterfind(".//cbc:EndpointID",
                                                                     UBL_NS)]
    assert endpoints == [("9930", "DE123456788"), ("0208", "0477472701")]


def test_a_buyer_off_peppol_gets_plain_en_16931():
    xml = ubl.ubl_xml(peppol_invoice(buyer=examples.BELGIAN_BUYER))

    assert etree.fromstring(xml).findtext("cbc:CustomizationID",
                                          namespaces=UBL_NS) == ubl.EN16931
    assert validation.fatal(validation.findings(xml, "ubl")) == []


def test_peppol_wants_a_buyer_reference_or_a_po():
    assert fatal_rules(ubl.ubl_xml(peppol_invoice(buyer_reference=""))) == {
        "PEPPOL-EN16931-R003"}


@pytest.mark.parametrize(("peppol_id", "rule"), [
    ("EM:ap@brussels.example", "PEPPOL-EN16931-CL008"),
    ("0208:0477472702", "PEPPOL-COMMON-R043"),   # check digits off by one
    ("0088:4000001000006", "PEPPOL-COMMON-R040"),  # GLN with a wrong check digit
])
def test_an_endpoint_outside_the_schemes_rules_is_caught(peppol_id, rule):
    document = peppol_invoice(buyer=replace(BELGIAN_BUYER, peppol_id=peppol_id))

    assert fatal_rules(ubl.ubl_xml(document)) == {rule}


def test_more_than_one_note_is_only_for_two_german_parties():
    notes = ("Thank you.", "Second note.")

    assert fatal_rules(ubl.ubl_xml(peppol_invoice(notes=notes))) == {"PEPPOL-EN16931-R002"}


def test_a_german_public_buyer_receives_xrechnung_with_its_leitweg_id():
    xml = ubl.ubl_xml(xrechnung_invoice(), customization=ubl.XRECHNUNG)
    tree = etree.fromstring(xml)

    assert validation.findings(xml, "ubl") == []
    assert (tree.findtext("cbc:CustomizationID", namespaces=UBL_NS),
            tree.findtext("cbc:BuyerReference", namespaces=UBL_NS)) == (ubl.XRECHNUNG,
                                                                        LEITWEG_ID)
    assert tree.findtext("cac:AccountingSupplierParty/cac:Party/cac:Contact/cbc:Telephone",
                         namespaces=UBL_NS) == "+49 30 1234567"


def test_xrechnung_without_leitweg_id_seller_phone_or_payment_means_is_refused():
    document = xrechnung_invoice(buyer_reference="", payment_means=None,
                                 seller=replace(SELLER, contact=replace(SELLER.contact,
                                                                        phone="")))

    assert fatal_rules(ubl.ubl_xml(document, customization=ubl.XRECHNUNG)) == {
        "BR-DE-1", "BR-DE-6", "BR-DE-15"}


def test_xrechnung_direct_debit_carries_the_creditor_id_as_the_sellers_sepa_id():
    """BT-90 in UBL is the seller's PartyIdentification with scheme SEPA (Peppol BIS Billing
    3.0, "Direct debit" example; XRechnung BR-DE-30 wants it with every direct debit)."""
    document = replace(examples.direct_debit(), seller=SELLER, buyer=PUBLIC_BUYER,
                       buyer_reference=LEITWEG_ID)

    xml = ubl.ubl_xml(document, customization=ubl.XRECHNUNG)

    assert fatal_rules(xml) == set()
    assert etree.fromstring(xml).findtext(
        "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']",
        namespaces=UBL_NS) == "DE98ZZZ09999999999"
    without = replace(document, payment_means=replace(document.payment_means, creditor_id=""))
    assert fatal_rules(ubl.ubl_xml(without, customization=ubl.XRECHNUNG)) == {"BR-DE-30"}


def test_identifiers_are_checked_as_entered():
    assert peppol_id_for_vat_id("FR40303265045") == "9957:FR40303265045"
    assert peppol_id_for_vat_id("CHE-116.281.710") == ""
    assert peppol_id_errors("9930:FR40303265045") == [
        "9930:FR40303265045: scheme 9930 takes a DE VAT ID (e.g. DE123456789)."]
    assert leitweg_id_errors("04011000-12345-34") == [
        "“04011000-12345-34” has wrong check digits for a Leitweg-ID."]


@pytest.mark.django_db
def test_an_xrechnung_customer_needs_a_valid_leitweg_id_and_peppol_id(finance):
    customer = account("DE", "Bundesamt für Beispiele", buyer_reference="")

    with pytest.raises(ValidationError) as caught:
        update_account(account=customer, by=finance, einvoice_format="xrechnung",
                       peppol_id="0208:123")

    assert caught.value.message_dict == {
        "buyer_reference": ["XRechnung needs the buyer's Leitweg-ID as the buyer reference "
                            "(BR-DE-15)."],
        "peppol_id": ["0208:123 is not a valid Belgian enterprise number "
                      "(PEPPOL-COMMON-R043)."]}


@pytest.mark.django_db
def test_an_issued_xrechnung_invoice_waits_for_the_sellers_phone(client, finance, eu_vat,
                                                                 settings):
    """Without COMPANY_PHONE (core.company) XRechnung's BR-DE-6 holds the email back and finance
    sees the rule, as with any broken e-invoice; with it, the XRechnung XML goes out."""
    settings.COMPANY_PHONE = ""
    customer = account("DE", "Bundesamt für Beispiele", buyer_reference=LEITWEG_ID,
                       einvoice_format="xrechnung")
    held = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])

    documents.deliver_invoice(held.pk)

    held.refresh_from_db()
    assert mail.outbox == []
    assert {f["rule"] for f in held.einvoice_findings} == {"BR-DE-6"}

    # when the company's phone is set, the next invoice goes out as XRechnung
    settings.COMPANY_PHONE = "+49 30 1234567"
    sent = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])
    documents.deliver_invoice(sent.pk)

    [message] = mail.outbox
    [xml] = [body for name, body, _ in message.attachments if name.endswith(".xml")]
    assert fatal_rules(xml) == set()
    assert ubl.XRECHNUNG.encode() in xml and LEITWEG_ID.encode() in xml
    client.force_login(finance)
    page = client.get(reverse("billing:invoice", args=[sent.pk])).content.decode()
    download = reverse("billing_documents:invoice_xml", args=[sent.pk, "xrechnung"])
    assert download in page and client.get(download).content == xml


@pytest.mark.django_db
def test_a_peppol_invoice_without_buyer_reference_or_po_is_refused_at_issue(finance, eu_vat):
    """PEPPOL-EN16931-R003 (a buyer reference or a PO) is checked before the number is taken:
    an issued invoice never changes, so a gap found when sending would cost a credit note."""
    # given a Belgian customer on Peppol (UBL) with neither reference on its account
    customer = account("BE", "Brussels Analytics NV", vat_id="BE0477472701",
                       buyer_reference="", einvoice_format="ubl",
                       peppol_id="0208:0477472701")
    draft = create_manual_invoice(account=customer, by=finance)
    add_manual_charge(invoice=draft, by=finance, description="Analytics subscription",
                      quantity=D(25), unit_price=D("39.00"), tax_category="saas", on=ON)

    # when finance issues it, it is refused with the rule and the fields to fill
    with pytest.raises(ValidationError) as caught:
        issue_invoice(invoice=draft, by=finance, on=ON)
    assert caught.value.messages == [
        f"{draft} cannot be sent as UBL 2.1 (Peppol BIS Billing 3.0): PEPPOL-EN16931-R003: a "
        "Peppol invoice needs the buyer reference (BT-10) or the PO number (BT-13): set the "
        "buyer reference or the PO number on the account or on the draft."]

    # then with a PO number on the draft it is issued and its UBL passes Peppol's rules
    update_references(invoice=draft, by=finance, purchase_order="PO-2026-17")
    issued = issue_invoice(invoice=draft, by=finance, on=ON)
    xml = einvoice_xml(issued, "ubl")
    assert ubl.PEPPOL.encode() in xml and fatal_rules(xml) == set()


@pytest.mark.django_db
def test_a_customer_off_peppol_is_not_held_for_a_reference(finance, eu_vat):
    """A UBL customer without a Peppol ID gets plain EN 16931, where BT-10 is optional."""
    customer = account("FR", "Camille Martin", buyer_reference="", einvoice_format="ubl")

    invoice = issue(finance, customer, [("Personal plan", "1", "9.99", "saas")])

    assert invoice.number and fatal_rules(einvoice_xml(invoice, "ubl")) == set()


@pytest.mark.django_db
def test_an_issued_direct_debit_xrechnung_invoice_and_its_credit_note_pass(finance, eu_vat,
                                                                           settings):
    """The company's SEPA creditor ID (setting COMPANY_CREDITOR_ID) is copied with the mandate
    (BT-90, BR-DE-30), and without it the draft is refused before it is numbered; the credit
    note repeats the invoice's payment instructions (BG-16, BR-DE-1), referencing the invoice
    it corrects (BG-3)."""
    settings.COMPANY_PHONE = "+49 30 1234567"
    customer = account("DE", "Bundesamt für Beispiele", buyer_reference=LEITWEG_ID,
                       einvoice_format="xrechnung", payment_means="direct_debit",
                       mandate_reference="MANDATE-0042", debtor_iban="DE02120300000000202051")
    settings.COMPANY_CREDITOR_ID = ""
    with pytest.raises(ValidationError, match=r"BR-DE-30: a direct debit needs the company's "
                                              r"SEPA creditor ID \(BT-90\)"):
        issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])
    settings.COMPANY_CREDITOR_ID = "DE98ZZZ09999999999"
    invoice = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])
    assert invoice.payment_means["creditor_id"] == "DE98ZZZ09999999999"

    note = issue_credit_note(invoice=invoice, by=finance, reason="service_issue",
                             line_amounts={invoice.lines.get().pk: D("149.70")}, on=ON)

    for document in (invoice, note):
        xml = einvoice_xml(document, "xrechnung")
        assert fatal_rules(xml) == set()
        tree = etree.fromstring(xml)
        assert tree.findtext("cac:PaymentMeans/cac:PaymentMandate/cbc:ID",
                             namespaces=UBL_NS) == "MANDATE-0042"


def test_xrechnung_card_payment_carries_the_cards_last_digits_and_holder():
    """BG-18 (BT-87 the card's last four to six digits only, BR-51; BT-88 the holder), which
    XRechnung wants with a card payment (BR-DE-24-a); EN 16931's own rules pass too."""
    card = PaymentMeans(PaymentKind.CARD, card_number="4242", card_network="VISA",
                        card_holder="Bundesamt für Beispiele")
    document = xrechnung_invoice(payment_means=card)

    xml = ubl.ubl_xml(document, customization=ubl.XRECHNUNG)

    assert fatal_rules(xml) == set()
    account = etree.fromstring(xml).find("cac:PaymentMeans/cac:CardAccount", UBL_NS)
    assert [account.findtext(f"cbc:{tag}", namespaces=UBL_NS)
            for tag in ("PrimaryAccountNumberID", "NetworkID", "HolderName")] == [
        "4242", "VISA", "Bundesamt für Beispiele"]
    assert validation.fatal(validation.findings(cii.cii_xml(document), "cii")) == []
    without = xrechnung_invoice(payment_means=PaymentMeans(PaymentKind.CARD))
    assert fatal_rules(ubl.ubl_xml(without, customization=ubl.XRECHNUNG)) == {"BR-DE-24-a"}
