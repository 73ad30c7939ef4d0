"""The Factur-X PDF (PDF/A-3 with its CII as an associated file, checked with pypdf and the
factur-x library), emails by the account's choice of e-invoice, a document that breaks a rule
held back with the rule shown, and the download pages by role."""

import io

import facturx
import pytest
from django.core import mail
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader

from billing.services import documents
from billing.services.credit_notes import issue_credit_note
from billing.services.einvoicing import einvoice_xml, facturx_pdf
from billing.services.issuing import void_invoice
from tests.billing.einvoice.conftest import ON, account, issue
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]


@pytest.fixture
def german_invoice(finance, eu_vat, sales_rep):
    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135",
                       purchase_order="PO-4711", einvoice_format="facturx", owner=sales_rep)
    return issue(finance, customer, [("Platform seats", "10", "49.90", "consulting"),
                                     ("Implementation handbook", "2", "24.95", "books")])


def test_the_factur_x_pdf_carries_its_cii_as_a_pdf_a_3_associated_file(german_invoice):
    pdf = facturx_pdf(german_invoice)

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    [filespec] = [ref.get_object() for ref in root["/AF"]]
    assert (filespec["/F"], filespec["/AFRelationship"]) == ("factur-x.xml", "/Data")
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    # the factur-x library's own checks: finds the XML, checks it against the Factur-X XSD
    name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml" and xml == einvoice_xml(german_invoice, "cii")
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert reader.attachments["factur-x.xml"] == [xml]


def test_a_credit_note_has_its_factur_x_too(german_invoice, finance):
    note = issue_credit_note(invoice=german_invoice, by=finance, reason="goodwill",
                             amount="10.00", on=ON)

    name, xml = facturx.get_xml_from_pdf(facturx_pdf(note), check_xsd=True)

    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml


def test_a_factur_x_customer_is_emailed_the_factur_x_pdf(german_invoice):
    documents.deliver_invoice(german_invoice.pk)

    [message] = mail.outbox
    [(name, content, kind)] = message.attachments
    assert (name, kind) == (f"{german_invoice.number}.pdf", "application/pdf")
    assert facturx.get_xml_from_pdf(content, check_xsd=True)[0] == "factur-x.xml"


def test_a_ubl_customer_is_emailed_the_pdf_and_the_ubl(finance, eu_vat):
    customer = account("BE", "Brussels Analytics NV", vat_id="BE0477472701",
                       einvoice_format="ubl")
    invoice = issue(finance, customer, [("Analytics subscription", "25", "39.00", "saas")])

    documents.deliver_invoice(invoice.pk)

    [message] = mail.outbox
    assert [(name, kind) for name, _, kind in message.attachments] == [
        (f"{invoice.number}.pdf", "application/pdf"),
        (f"{invoice.number}.xml", "application/xml")]
    assert message.attachments[1][1] == einvoice_xml(invoice, "ubl")


def test_an_e_invoice_that_breaks_a_rule_is_not_sent_and_the_page_names_the_rule(
        finance, eu_vat, settings, client):
    # given an invoice issued as a PDF while the company had no VAT ID set, whose customer
    # asked for UBL afterwards (the pre-check at issue only guards e-invoice customers)
    settings.COMPANY_VAT_ID = ""
    customer = account("BE", "Brussels Analytics NV", vat_id="BE0477472701")
    invoice = issue(finance, customer, [("Analytics subscription", "25", "39.00", "saas")])
    customer.einvoice_format = "ubl"
    customer.save(update_fields=["einvoice_format"])

    # when it is delivered
    documents.deliver_invoice(invoice.pk)

    # then nothing is sent, and the rule is kept for finance
    invoice.refresh_from_db()
    assert mail.outbox == [] and invoice.emailed_at is None
    assert {f["rule"] for f in invoice.einvoice_findings} == {"BR-AE-02"}
    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("billing:invoice", args=[invoice.pk]))
    assert "E-invoice not sent" in page.content.decode() and "BR-AE-02" in page.content.decode()
    response = client.get(reverse("billing_documents:invoice_xml", args=[invoice.pk, "ubl"]))
    assert response.status_code == 302


DOWNLOADS = ["invoice_xml_cii", "invoice_xml_ubl", "invoice_facturx", "credit_note_xml_ubl",
             "credit_note_facturx"]


def _url(name, invoice, note):
    if name.startswith("invoice_xml"):
        return reverse("billing_documents:invoice_xml", args=[invoice.pk, name[-3:]])
    if name.startswith("credit_note_xml"):
        return reverse("billing_documents:credit_note_xml", args=[note.pk, name[-3:]])
    target = invoice if name.startswith("invoice") else note
    return reverse(f"billing_documents:{name}", args=[target.pk])


@pytest.mark.parametrize("name", DOWNLOADS)
def test_downloads_by_role(client, role_users, german_invoice, finance, name):
    note = issue_credit_note(invoice=german_invoice, by=finance, reason="goodwill",
                             amount="1.00", on=ON)
    url = _url(name, german_invoice, note)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role, user in role_users.items():
        client.login(username=user.username, password=PASSWORD)
        response = client.get(url)
        expected = 403 if role == "catalog_admin" else 200
        assert response.status_code == expected, (role, response.status_code)
        if expected == 200:
            assert response["Content-Type"] in ("application/xml", "application/pdf")


def test_another_teams_invoice_e_invoice_is_not_found(client, other_rep, german_invoice):
    client.login(username=other_rep.username, password=PASSWORD)

    url = reverse("billing_documents:invoice_xml", args=[german_invoice.pk, "cii"])

    assert client.get(url).status_code == 404


def test_a_void_invoice_offers_no_e_invoice(client, finance, german_invoice):
    void_invoice(invoice=german_invoice, by=finance, reason="Duplicate", on=ON)
    client.login(username=finance.username, password=PASSWORD)

    response = client.get(reverse("billing_documents:invoice_facturx",
                                  args=[german_invoice.pk]), follow=True)

    assert "never sent again" in response.content.decode()
    assert "Factur-X PDF" not in response.content.decode()


def test_the_reverse_charge_pdf_says_so_with_both_vat_ids_and_the_bank_account(finance,
                                                                               eu_vat):
    """Art. 226(3), (4) and (11a) of the VAT directive: both VAT IDs and "Reverse charge"."""
    customer = account("BE", "Brussels Analytics NV", vat_id="BE0477472701",
                       purchase_order="PO-88")
    invoice = issue(finance, customer, [("Analytics subscription", "25", "39.00", "saas")])

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        facturx_pdf(invoice))).pages)

    for words in ("Reverse charge", "VAT ID DE123456788", "VAT ID BE0477472701",
                  "Your PO number: PO-88", "IBAN DE89370400440532013000"):
        assert words in text, words


def test_a_german_customer_gets_its_factur_x_in_german(finance, eu_vat):
    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135",
                       document_language="de", einvoice_format="facturx")
    invoice = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        facturx_pdf(invoice))).pages)

    for words in ("Rechnung INV-", "RECHNUNGSEMPFÄNGER", "USt-IdNr. DE811128135",
                  "Zwischensumme", "Überweisung an Q2C Software GmbH", "Dezember",
                  "Seite 1 von 1"):
        assert words in text, words
    assert invoice.buyer["language"] == "de"
    # issue 16: German formats too: 10 × 49,90 written 499,00 €, never 499.00 or €499.00
    assert "499,00" in text and "499.00" not in text


def test_a_french_customer_gets_its_invoice_in_french(finance, eu_vat):
    # issue 16: "French documents"; the words of a French invoice (facture, total HT, TVA)
    customer = account("FR", "Dupont Logiciels SARL", vat_id="FR40303265045",
                       document_language="fr")
    invoice = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        facturx_pdf(invoice))).pages)

    for words in ("Facture INV-", "FACTURÉ À", "N° de TVA FR40303265045", "Total HT",
                  "Autoliquidation", "Virement bancaire à Q2C Software GmbH", "décembre",
                  "Page 1 sur 1"):
        assert words in text, words


def test_a_euro_invoice_carries_the_epc_qr_code_of_its_bank_transfer(finance, eu_vat):
    # EPC069-12: name, IBAN, BIC, "EUR" and the amount due, and the invoice number as the text
    from billing.pdf import invoice_pdf_context
    from core.pdf import sepa_transfer_qr

    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135")
    invoice = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting")])

    assert invoice_pdf_context(invoice)["transfer_qr"] == sepa_transfer_qr(
        name="Q2C Software GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX",
        amount=invoice.amount_due, currency="EUR", reference=invoice.number)
    [page] = PdfReader(io.BytesIO(documents.stored_pdf(invoice))).pages
    assert page.images, "the QR code is drawn on the invoice"


def test_a_belgian_business_in_german_reads_the_reverse_charge_in_german_too(finance, eu_vat):
    customer = account("BE", "Brüssel Analytik", vat_id="BE0477472701",
                       document_language="de")
    invoice = issue(finance, customer, [("Analytics subscription", "25", "39.00", "saas")])

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        facturx_pdf(invoice))).pages)

    assert "Steuerschuldnerschaft des Leistungsempfängers" in text
