"""Invoices and credit notes issued through billing's services carry the EN 16931 data (seller,
buyer VAT ID, PO, payment means, each line's VAT category and reason) and their CII and UBL pass
the official rules: one worked example per VAT treatment, multi-rate, three currencies (yen
without decimals), a partial credit note."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from lxml import etree

from billing.einvoice import cii, ubl
from billing.models import InvoiceTax
from billing.pdf import INVOICE_TEMPLATE, invoice_pdf_context
from billing.services.credit_notes import issue_credit_note
from billing.services.drafts import Charge, NewInvoice, create_invoices
from billing.services.einvoicing import EInvoiceUnavailable, einvoice_xml
from billing.services.issuing import void_invoice
from catalog.models import PriceBook
from customers.services.accounts import update_account
from tests.billing.einvoice.conftest import ON, account, issue

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]
RAM = {"ram": cii.RAM}
UBL_NS = {"cac": ubl.CAC, "cbc": ubl.CBC}


def both_pass(document) -> tuple[etree._Element, etree._Element]:
    """The document's CII and UBL, each already checked by the official rules (a fatal finding
    raises)."""
    return (etree.fromstring(einvoice_xml(document, "cii")),
            etree.fromstring(einvoice_xml(document, "ubl")))


def vat_of(invoice):
    return [(line.vat_category, line.vat_percent, line.vat_exemption_reason)
            for line in invoice.lines.order_by("position")]


def test_a_german_b2b_invoice_at_two_rates_with_a_po(finance, eu_vat):
    # given a German customer with a PO number and a buyer reference on its account
    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135",
                       purchase_order="PO-4711", buyer_reference="04011000-12345-34")
    # when 10 seats at 49.90 (19 %) and 2 handbooks at 24.95 (7 %) are invoiced
    invoice = issue(finance, customer, [("Platform seats", "10", "49.90", "consulting"),
                                        ("Implementation handbook", "2", "24.95", "books")])
    # then 499.00 + 94.81 and 49.90 + 3.49: 647.20, each line labelled S at its rate
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("548.90"), D("98.30"), D("647.20"))
    assert vat_of(invoice) == [("S", D(19), ""), ("S", D(7), "")]
    assert (invoice.purchase_order, invoice.buyer["vat_id"], invoice.seller["vat_id"]) == (
        "PO-4711", "DE811128135", "DE123456788")
    assert invoice.payment_means == {"kind": "credit_transfer", "iban": "DE89370400440532013000",
                                     "bic": "COBADEFFXXX", "account_name": "Q2C Software GmbH"}
    cii_tree, ubl_tree = both_pass(invoice)
    assert cii_tree.findtext(".//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
                             namespaces=RAM) == "PO-4711"
    assert ubl_tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                             namespaces=UBL_NS) == "647.20"


def test_saas_to_a_belgian_business_is_reverse_charged(finance, eu_vat):
    """Art. 44 and 196 of the VAT directive: B2B services are taxed where the customer is, by
    the customer; the invoice says "Reverse charge" (Art. 226(11a))."""
    customer = account("BE", "Brussels Analytics NV", vat_id="BE 0477.472.701")

    invoice = issue(finance, customer, [("Analytics subscription", "25", "39.00", "saas")])

    assert (invoice.tax_total, invoice.total) == (D("0.00"), D("975.00"))
    assert vat_of(invoice) == [("AE", D(0), "Reverse charge")]
    assert invoice_pdf_context(invoice)["vat_notes"] == ["Reverse charge"]
    _, ubl_tree = both_pass(invoice)
    # BT-120 names the provision of the directive (Art. 226(11)), as the line keeps it
    assert ubl_tree.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
                             "cbc:TaxExemptionReason", namespaces=UBL_NS) == (
        "Reverse charge (Art. 44, 196 Directive 2006/112/EC)")
    assert ubl_tree.findtext("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/"
                             "cbc:CompanyID", namespaces=UBL_NS) == "BE0477472701"


def test_hardware_to_a_belgian_business_is_an_intra_community_supply(finance, eu_vat):
    """Art. 138: exempt supply of goods to a taxable person in another member state."""
    customer = account("BE", "Brussels Analytics NV", vat_id="BE0477472701")

    invoice = issue(finance, customer, [("Hardware security key", "40", "45.00", "hardware")])

    assert vat_of(invoice) == [("K", D(0), "Intra-Community supply")]
    cii_tree, _ = both_pass(invoice)
    assert cii_tree.findtext(".//ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID",
                             namespaces=RAM) == "BE"


def test_saas_to_a_french_consumer_within_the_eur_10000_stays_at_the_german_rate(finance,
                                                                                 eu_vat):
    """Art. 59c(1): while the seller's EU distance sales stay within EUR 10,000 this year and
    last, B2C digital services are taxed where the seller is: 9.99 at DE 19 % = 1.90. The line
    keeps the reason, the PDF prints it, and the e-invoice is plain S (BR-S-10: no exemption
    reason on a standard-rated line)."""
    consumer = account("FR", "Camille Martin")

    invoice = issue(finance, consumer, [("Personal plan", "1", "9.99", "saas")])

    assert (invoice.tax_total, invoice.total) == (D("1.90"), D("11.89"))
    [line] = invoice.lines.all()
    assert (line.vat_category, line.vat_article, line.vat_reason) == (
        "S", "Art. 59c", "Art. 59c: EU distance sales EUR 9.99 this year and EUR 0.00 last "
                         "year, within EUR 10,000: taxed where the seller is")
    assert invoice_pdf_context(invoice)["vat_notes"] == [line.vat_reason]
    _, ubl_tree = both_pass(invoice)
    assert ubl_tree.find(".//cbc:TaxExemptionReason", UBL_NS) is None


def test_the_sale_that_passes_eur_10000_and_later_ones_go_to_the_consumers_rate(finance,
                                                                              eu_vat):
    """Art. 59c(1) and the Commission's Explanatory Notes on the e-commerce rules (2020), on
    the threshold: once the EU-wide total of the calendar year exceeds EUR 10,000, the supply
    that exceeds it and every later one are taxed in the consumer's member state (Art. 58),
    through the OSS. 10,000.00 to one French consumer is still within (≤ 10,000); the next
    9.99 makes 10,009.99: FR 20 % = 2.00."""
    first = issue(finance, account("FR", "Camille Martin"),
                  [("Annual family plan", "1", "10000.00", "saas")])
    assert first.taxes.get().country == "DE"

    invoice = issue(finance, account("FR", "Léa Dubois"),
                    [("Personal plan", "1", "9.99", "saas")])

    assert (invoice.tax_total, invoice.total) == (D("2.00"), D("11.99"))
    assert vat_of(invoice) == [("S", D(20), "")]
    assert invoice.lines.get().vat_reason == ("Art. 58: B2C supply taxed in FR, declared "
                                              "through the One-Stop Shop")
    assert list(InvoiceTax.objects.filter(invoice=invoice).values_list("country", "percent")) \
        == [("FR", D(20))]
    both_pass(invoice)


def test_consulting_for_a_french_consumer_stays_at_the_german_rate(finance, eu_vat):
    """Art. 45: general B2C services are taxed where the supplier is."""
    invoice = issue(finance, account("FR", "Camille Martin"),
                    [("Consulting day", "1", "800.00", "consulting")])

    assert (invoice.tax_total, vat_of(invoice)) == (D("152.00"), [("S", D(19), "")])
    assert list(invoice.taxes.values_list("country", flat=True)) == ["DE"]


def test_a_swiss_customer_in_francs_is_an_export(finance, eu_vat):
    swiss = account("CH", "Alpen Daten AG", currency="CHF", vat_id="CHE-116.281.710 MWST")

    invoice = issue(finance, swiss, [("Enterprise subscription", "1", "12000.00", "saas")])

    assert (invoice.currency, invoice.tax_total) == ("CHF", D("0.00"))
    assert vat_of(invoice) == [("G", D(0), "Export outside the EU")]
    both_pass(invoice)


def test_exempt_and_zero_rated_lines_on_one_invoice(finance, eu_vat):
    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135")

    invoice = issue(finance, customer, [
        ("Training course", "3", "300.00", "training"),
        ("Solar module", "2", "250.00", "solar"),
        ("Consulting day", "1", "800.00", "consulting")])

    assert vat_of(invoice) == [("E", D(0), "Exempt education service, Art. 132(1)(i)"),
                               ("Z", D(0), ""), ("S", D(19), "")]
    assert invoice.tax_total == D("152.00")
    cii_tree, _ = both_pass(invoice)
    assert sorted(cii_tree.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                                 "ram:CategoryCode/text()", namespaces=RAM)) == ["E", "S", "Z"]


def test_a_yen_invoice_has_amounts_without_decimals(finance, eu_vat):
    customer = account("DE", "Muster Maschinenbau AG", currency="JPY", vat_id="DE811128135")

    invoice = issue(finance, customer, [("Tokyo region add-on", "3", "15000", "consulting")])

    _, ubl_tree = both_pass(invoice)
    assert ubl_tree.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=UBL_NS) == "8550"


def test_a_partial_credit_note_references_its_invoice_and_keeps_the_line_vat(finance, eu_vat):
    customer = account("BE", "Brussels Analytics NV", vat_id="BE0477472701")
    invoice = issue(finance, customer, [("Analytics subscription", "25", "39.00", "saas")])
    line = invoice.lines.get()

    note = issue_credit_note(invoice=invoice, by=finance, reason="service_issue",
                             line_amounts={line.pk: D("117.00")}, on=ON)

    assert [(n.vat_category, n.vat_exemption_reason) for n in note.lines.all()] == [
        ("AE", "Reverse charge")]
    assert note.buyer["vat_id"] == "BE0477472701"
    cii_tree, ubl_tree = both_pass(note)
    assert cii_tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
                             namespaces=RAM) == invoice.number
    assert ubl_tree.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                             namespaces=UBL_NS) == invoice.number
    assert ubl_tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                             namespaces=UBL_NS) == "117.00"


def test_a_draft_taxed_before_the_buyer_gave_its_vat_id_is_not_issued(finance, eu_vat):
    # given a Belgian customer taxed as a consumer (21 %) on a draft
    from billing.services.drafts import add_manual_charge, create_manual_invoice

    customer = account("BE", "Brussels Analytics NV")
    draft = create_manual_invoice(account=customer, by=finance)
    add_manual_charge(invoice=draft, by=finance, description="Consulting", quantity=D(1),
                      unit_price=D("100.00"), tax_category="consulting", on=ON)
    # when its VAT ID arrives before the draft is issued
    update_account(account=customer, by=finance, vat_id="BE0477472701")
    # then issuing refuses: the draft charges VAT the reverse charge does not
    from billing.services.issuing import issue_invoice

    with pytest.raises(ValidationError, match="re-tax the draft"):
        issue_invoice(invoice=draft, by=finance, on=ON)


def test_a_void_invoice_has_no_e_invoice(finance, eu_vat):
    invoice = issue(finance, account("DE", "Muster AG", vat_id="DE811128135"),
                    [("Seats", "1", "10.00", "consulting")])
    void_invoice(invoice=invoice, by=finance, reason="Duplicate", on=ON)
    invoice.refresh_from_db()

    with pytest.raises(EInvoiceUnavailable, match="never sent again"):
        einvoice_xml(invoice, "ubl")


def test_finance_sets_the_po_on_a_draft_and_the_re_tax_applies_the_new_vat_id(finance, eu_vat,
                                                                              client):
    from django.urls import reverse

    from billing.services.drafts import add_manual_charge, create_manual_invoice
    from billing.services.issuing import issue_invoice
    from tests.conftest import PASSWORD

    # given a draft taxed at 21 % before the Belgian customer's VAT ID was known
    customer = account("BE", "Brussels Analytics NV", purchase_order="PO-OLD")
    draft = create_manual_invoice(account=customer, by=finance)
    add_manual_charge(invoice=draft, by=finance, description="Consulting", quantity=D(1),
                      unit_price=D("100.00"), tax_category="consulting", on=ON)
    update_account(account=customer, by=finance, vat_id="BE0477472701")
    # when finance gives this invoice its own PO number from the draft page
    client.login(username=finance.username, password=PASSWORD)
    client.post(reverse("billing:references", args=[draft.pk]),
                {"purchase_order": "PO-2026-77", "buyer_reference": ""})
    # then the draft is re-taxed under the reverse charge and issues with that PO
    invoice = issue_invoice(invoice=draft, by=finance, on=ON)
    assert (invoice.tax_total, invoice.purchase_order) == (D("0.00"), "PO-2026-77")
    assert vat_of(invoice) == [("AE", D(0), "Reverse charge")]
    _, ubl_tree = both_pass(invoice)
    assert ubl_tree.findtext("cac:OrderReference/cbc:ID", namespaces=UBL_NS) == "PO-2026-77"


def test_an_e_invoice_customers_draft_is_not_issued_while_the_company_has_no_vat_id(
        finance, eu_vat, settings):
    from billing.services.drafts import add_manual_charge, create_manual_invoice
    from billing.services.issuing import issue_invoice

    settings.COMPANY_VAT_ID = ""
    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135",
                       einvoice_format="facturx")
    draft = create_manual_invoice(account=customer, by=finance)
    add_manual_charge(invoice=draft, by=finance, description="Seats", quantity=D(1),
                      unit_price=D("10.00"), tax_category="consulting", on=ON)

    with pytest.raises(ValidationError, match=r"BR-S-02: the seller's VAT ID \(BT-31\) is not "
                                              r"set \(COMPANY_VAT_ID\)"):
        issue_invoice(invoice=draft, by=finance, on=ON)
    draft.refresh_from_db()
    assert draft.is_draft and draft.number is None
    # a customer without an e-invoice still gets its PDF invoice
    customer.einvoice_format = ""
    customer.save(update_fields=["einvoice_format"])
    assert issue_invoice(invoice=draft, by=finance, on=ON).number


def test_a_cash_rounded_invoice_and_its_credit_note_carry_the_rounding_amount(finance, eu_vat):
    """EN 16931 BT-114 "Rounding amount": added to the invoice total to round the amount due
    (BR-CO-16: BT-115 = BT-112 − BT-113 + BT-114). CHF 10.03 exported to Switzerland, the
    franc book rounding totals to 0.05 (Odoo's "Add a rounding line"): 10.05, rounding 0.02."""
    PriceBook.objects.create(name="Francs", currency="CHF", effective_from=ON,
                             cash_rounding_step=D("0.05"))
    swiss = account("CH", "Alpen Daten AG", currency="CHF")

    invoice = issue(finance, swiss, [("Support hours", "1", "10.03", "consulting")])
    note = issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True,
                             on=ON)

    assert (invoice.cash_rounding, invoice.total) == (D("0.02"), D("10.05"))
    cii_tree, ubl_tree = both_pass(invoice)
    assert cii_tree.findtext(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
                             "ram:RoundingAmount", namespaces=RAM) == "0.02"
    assert [ubl_tree.findtext(f"cac:LegalMonetaryTotal/cbc:{tag}", namespaces=UBL_NS)
            for tag in ("TaxInclusiveAmount", "PayableRoundingAmount", "PayableAmount")] == [
        "10.03", "0.02", "10.05"]
    _, note_tree = both_pass(note)
    assert note_tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                              namespaces=UBL_NS) == "10.05"
    html = render_to_string(INVOICE_TEMPLATE, invoice_pdf_context(invoice))
    assert "Cash rounding" in html and "0.02" in html


def test_sales_taxed_together_are_counted_one_after_another_against_the_threshold(finance,
                                                                                 eu_vat):
    """Art. 59c(1)(b) counts the year's supplies as they are made: in one batch of three B2C
    sales to France (5,000.00, 4,000.00, 2,000.00), the first two stay within EUR 10,000 and
    say how far the year has come; the third makes 11,000.00 and takes the French rate."""
    consumers = [account("FR", name) for name in ("Camille Martin", "Léa Dubois", "Jean Petit")]

    invoices = create_invoices(by=finance, on=ON, invoices=[
        NewInvoice(consumer, [Charge("Family plan", D(1), D(amount), "saas")])
        for consumer, amount in zip(consumers, ("5000.00", "4000.00", "2000.00"), strict=True)])

    lines = [invoice.lines.get() for invoice in invoices]
    assert [line.vat_article for line in lines] == ["Art. 59c", "Art. 59c", "Art. 58"]
    assert [line.vat_reason.split(" this year")[0] for line in lines[:2]] == [
        "Art. 59c: EU distance sales EUR 5,000.00", "Art. 59c: EU distance sales EUR 9,000.00"]
    assert [invoice.tax_total for invoice in invoices] == [D("950.00"), D("760.00"),
                                                           D("400.00")]


def test_an_invoice_taxed_on_its_net_less_the_cash_discount_states_the_discount(
        finance, eu_vat, settings):
    """Odoo's "Cash Discount Tax Reduction: Always" (the Belgian rule; see
    tests/billing/test_early_discount_mode.py) taxes 100.00 with 2 % off for early payment on
    98.00; here 1,000.00 at 19 % on 980.00. EN 16931 wants each VAT base times its rate, within
    one unit (BR-CO-17), so the XML says why the base is 980.00: a document-level allowance of
    the conditional discount in the line's category, and a charge of the same amount at zero
    rate, since the customer owes it unless paying early (Billit's "Cash discount with
    allowances/charges" for Peppol BIS Billing 3.0)."""
    from customers.models import PaymentTerms

    settings.EARLY_DISCOUNT_TAX_MODE = "always"
    terms = PaymentTerms.objects.create(code="2-7-net-30", name="2% 7 days, net 30", days=30,
                                        early_discount_percent=D(2), early_discount_days=7)
    customer = account("DE", "Muster Maschinenbau AG", vat_id="DE811128135",
                       payment_terms=terms)
    invoice = issue(finance, customer, [("Consulting", "1", "1000.00", "consulting")])
    assert (invoice.tax_total, invoice.total) == (D("186.20"), D("1186.20"))

    cii_tree, ubl_tree = both_pass(invoice)

    assert [(ubl_tree.findtext(f"cac:TaxTotal/cac:TaxSubtotal[{n}]/cbc:{tag}",
                               namespaces=UBL_NS)) for n in (1, 2)
            for tag in ("TaxableAmount", "TaxAmount")] == ["980.00", "186.20", "20.00", "0.00"]
    assert [ubl_tree.findtext(f"cac:LegalMonetaryTotal/cbc:{tag}", namespaces=UBL_NS)
            for tag in ("LineExtensionAmount", "AllowanceTotalAmount", "ChargeTotalAmount",
                        "TaxExclusiveAmount", "PayableAmount")] == [
        "1000.00", "20.00", "20.00", "1000.00", "1186.20"]
    assert cii_tree.findtext(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
                             "ram:GrandTotalAmount", namespaces=RAM) == "1186.20"
    # and its whole credit note carries the same discount back
    note = issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True,
                             on=ON)
    _, note_tree = both_pass(note)
    assert note_tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                              namespaces=UBL_NS) == "1186.20"
