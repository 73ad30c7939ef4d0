"""A levy per unit on an invoice (issue 17): charged on the line's quantity, inside the VAT base
when the rate says so (Art. 78(a) Directive 2006/112/EC: the taxable amount includes "taxes,
duties, levies and charges, excluding the VAT itself"), shown on the page, the PDF and the API,
posted to tax payable, reversed by a credit note in proportion to the units credited, and sent
in the e-invoice as a line charge (BG-28) because EN 16931 has no fixed amounts in the VAT
breakdown; the CII and UBL pass the official rules.

Worked examples: Odoo's fixed tax "multiplied by the quantity" with "Affect Base of Subsequent
Taxes"; ERPNext's "On Item Quantity" charge (see tests/catalog/test_levies.py)."""

from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from lxml import etree

from billing.einvoice import cii, ubl
from billing.pdf import INVOICE_TEMPLATE, invoice_pdf_context
from billing.services.credit_notes import issue_credit_note
from billing.services.einvoicing import einvoice_xml
from ledger import chart
from tests.billing.einvoice.conftest import account, issue
from tests.catalog.factories import TaxCategoryFactory, TaxRateFactory

pytestmark = pytest.mark.django_db
RAM = {"ram": cii.RAM}
UBL_NS = {"cac": ubl.CAC, "cbc": ubl.CBC}


@pytest.fixture
def drinks(eu_vat):
    category = TaxCategoryFactory(code="drinks", supply="goods")
    TaxRateFactory(name="Container levy", country="DE", percent=D(0), category=category,
                   per_unit_amount=D("0.25"), currency="EUR", affects_base=True, sequence=0)
    TaxRateFactory(name="VAT", country="DE", percent=D(19), category=category, sequence=1)
    return category


def test_a_levy_per_unit_is_charged_shown_posted_credited_and_sent(client, finance, drinks):
    # given a German customer buying 24 cans at 0.89 with a 0.25 container levy on each
    customer = account("DE", "Getränke Markt GmbH", vat_id="DE811128135")
    # when it is invoiced
    invoice = issue(finance, customer, [("Sparkling water, 24 cans", "24", "0.89", "drinks"),
                                        ("Delivery", "1", "10.00", "consulting")])
    # then the levy is 24 × 0.25 = 6.00 and VAT 19 % of 21.36 + 6.00 = 27.36 is 5.20
    cans = invoice.lines.get(position=1)
    assert [(t["name"], t["amount"], t.get("per_unit")) for t in cans.tax_detail] == [
        ("Container levy", "6.00", "0.25"), ("VAT", "5.20", None)]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("31.36"), D("13.10"), D("44.46"))
    levy = invoice.taxes.get(name="Container levy")
    assert (levy.tax_amount, levy.per_unit_amount, levy.percent) == (D("6.00"), D("0.25"), 0)
    vat = invoice.taxes.get(name="VAT")
    assert (vat.taxable_amount, vat.tax_amount) == (D("37.36"), D("7.10"))
    # posted to tax payable with the VAT, the receivable the total
    tax_payable = [line for line in invoice.journal_entry.lines.all()
                   if line.gl_account.code == chart.TAX_PAYABLE]
    assert len(tax_payable) == 2  # the levy and the VAT, each its own line
    # shown on the page, the PDF and the API
    client.force_login(finance)
    page = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "Container levy €0.25 per unit" in page or "Container levy 0.25" in page
    pdf_html = render_to_string(INVOICE_TEMPLATE, invoice_pdf_context(invoice))
    assert "per unit" in pdf_html
    body = client.get(reverse("api:invoice-detail", args=[invoice.pk])).json()
    assert {t["name"]: t["per_unit_amount"] for t in body["taxes"]}["Container levy"] \
        is not None
    # the e-invoice carries the levy as a line charge inside the line's VAT base, and passes
    cii_tree = etree.fromstring(einvoice_xml(invoice, "cii"))
    ubl_tree = etree.fromstring(einvoice_xml(invoice, "ubl"))
    charge = cii_tree.find(".//ram:IncludedSupplyChainTradeLineItem"
                           "/ram:SpecifiedLineTradeSettlement"
                           "/ram:SpecifiedTradeAllowanceCharge", namespaces=RAM)
    assert charge.findtext("ram:ActualAmount", namespaces=RAM) == "6.00"
    assert charge.findtext("ram:ReasonCode", namespaces=RAM) == "ABK"
    assert ubl_tree.findtext("cac:InvoiceLine/cbc:LineExtensionAmount",
                             namespaces=UBL_NS) == "27.36"
    assert ubl_tree.findtext("cac:InvoiceLine/cac:AllowanceCharge/cbc:Amount",
                             namespaces=UBL_NS) == "6.00"
    assert ubl_tree.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=UBL_NS) == "7.10"
    assert ubl_tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                             namespaces=UBL_NS) == "44.46"
    # when 6 of the 24 cans are credited (6 × 0.89 = 5.34 of the line's net)
    note = issue_credit_note(invoice=invoice, by=finance, reason="returned_goods",
                             line_amounts={cans.pk: D("5.34")})
    # then a quarter of the levy comes back: 1.50, and VAT 19 % of 6.84 = 1.30
    line = note.lines.get()
    assert line.quantity == D(6)
    assert {t.name: (t.tax_amount, t.per_unit_amount) for t in note.taxes.all()} == {
        "Container levy": (D("1.50"), D("0.25")), "VAT": (D("1.30"), None)}
    assert note.total == D("8.14")
    note_tree = etree.fromstring(einvoice_xml(note, "ubl"))
    assert note_tree.findtext("cac:CreditNoteLine/cac:AllowanceCharge/cbc:Amount",
                              namespaces=UBL_NS) == "1.50"
    etree.fromstring(einvoice_xml(note, "cii"))
