"""The demo's e-invoicing customers, as the seed makes them: the German business receives a
Factur-X invoice in German (its PDF/A-3 carries CII that passes the EN 16931 rules), the Belgian
one an email with the PDF and a UBL document that passes the EN 16931 and Peppol BIS rules.

The seed's own steps make the people, rates, catalog and accounts (the two-year history is
tests/q2c/test_seed_demo.py's); finance then bills each customer a month of the demo's SaaS
plan through billing's services, as an invoice run would."""

import io
from datetime import date
from decimal import Decimal

import facturx
import pytest
from django.core import mail
from pypdf import PdfReader

from billing.einvoice import peppol, validation
from billing.services.documents import deliver_invoice
from billing.services.drafts import add_manual_charge, create_manual_invoice
from billing.services.issuing import issue_invoice
from catalog.demo import seed_catalog
from core.dates import business_date
from customers.models import Account
from q2c.management.commands.seed_demo import Command

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]


@pytest.fixture
def seeded(demo_company):
    command = Command(stdout=io.StringIO())
    users = command.seed_users()
    command.seed_rates(users["adam"])
    seed_catalog()
    command.seed_accounts(users)
    return users["fiona"]


def bill_a_month(customer, finance):
    today = business_date()
    start = date(today.year, today.month, 1)
    invoice = create_manual_invoice(account=customer, by=finance)
    add_manual_charge(invoice=invoice, by=finance, description="Platform Pro, monthly",
                      quantity=Decimal(1), unit_price=Decimal("1200.00"),
                      tax_category="digital", period_start=start,
                      period_end=date.fromordinal(date(today.year + today.month // 12,
                                                       today.month % 12 + 1, 1).toordinal() - 1))
    invoice = issue_invoice(invoice=invoice, by=finance, on=today)
    deliver_invoice(invoice.pk)
    return invoice


def test_the_german_demo_customer_gets_a_factur_x_invoice_in_german(seeded):
    customer = Account.objects.get(name="Rheinmetall Digital")
    assert (customer.einvoice_format, customer.document_language) == ("facturx", "de")

    invoice = bill_a_month(customer, seeded)

    [message] = [m for m in mail.outbox if invoice.number in m.subject]
    [(name, pdf, kind)] = message.attachments
    assert (name, kind) == (f"{invoice.number}.pdf", "application/pdf")
    xml_name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert xml_name == "factur-x.xml"
    assert validation.fatal(validation.findings(xml, "cii")) == []
    # the buyer's VAT ID and PO, MwSt at 19 % (the US seller is registered in Germany)
    assert b"DE811128135" in xml and b"4500012345" in xml
    assert b"<ram:RateApplicablePercent>19</ram:RateApplicablePercent>" in xml
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Rechnung" in text


def test_the_belgian_demo_customer_is_emailed_a_peppol_ubl_document(seeded):
    customer = Account.objects.get(name="Brabant Analytics")
    assert customer.einvoice_format == "ubl"

    invoice = bill_a_month(customer, seeded)

    [message] = [m for m in mail.outbox if invoice.number in m.subject]
    assert [(name, kind) for name, _, kind in message.attachments] == [
        (f"{invoice.number}.pdf", "application/pdf"),
        (f"{invoice.number}.xml", "application/xml")]
    xml = message.attachments[1][1]
    assert validation.fatal(validation.findings(xml, "ubl")) == []
    assert peppol.findings(xml) == []
    assert (b'<cbc:EndpointID schemeID="0208">0477472701</cbc:EndpointID>' in xml
            and b"<cbc:Percent>21</cbc:Percent>" in xml)


