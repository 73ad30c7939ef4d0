"""Worked documents for the builder tests: a German seller of software and services invoicing
customers in Germany, Belgium, France, Switzerland and the United States.

Figures are computed by hand in each docstring so a test states what the XML must say.
"""

from datetime import date
from decimal import Decimal as D

from billing.einvoice.document import (
    Address,
    AllowanceCharge,
    Category,
    Document,
    DocumentKind,
    Line,
    Party,
    PaymentKind,
    PaymentMeans,
    PrecedingInvoice,
)

SELLER = Party("Q2C Software GmbH", Address("Friedrichstraße 100", "Berlin", "10117", "DE"),
               vat_id="DE123456788", company_id="HRB 123456 B", email="billing@q2c.example")
GERMAN_BUYER = Party("Muster Maschinenbau AG", Address("Hauptstraße 1", "München", "80331", "DE"),
                     vat_id="DE811128135")
BELGIAN_BUYER = Party("Brussels Analytics NV", Address("Rue de la Loi 16", "Bruxelles", "1000",
                                                       "BE"), vat_id="BE0477472701")
FRENCH_CONSUMER = Party("Camille Martin", Address("12 rue de Rivoli", "Paris", "75001", "FR"))
SWISS_BUYER = Party("Alpen Daten AG", Address("Bahnhofstrasse 1", "Zürich", "8001", "CH"))
TRANSFER = PaymentMeans(PaymentKind.CREDIT_TRANSFER, iban="DE89370400440532013000",
                        bic="COBADEFFXXX", account_name="Q2C Software GmbH")
DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))

REVERSE_CHARGE = ("Reverse charge", "VATEX-EU-AE")
INTRA_COMMUNITY = ("Intra-Community supply", "VATEX-EU-IC")
EXPORT = ("Export outside the EU", "VATEX-EU-G")


def line(n, name, quantity, price, net, tax, category, percent=D(0), reason=("", ""),
         period=DECEMBER):
    return Line(str(n), name, D(quantity), D(price), D(net), D(tax), category, D(percent),
                reason[0], reason[1], period_start=period[0] if period else None,
                period_end=period[1] if period else None)


def invoice(buyer, lines, *, currency="EUR", number="INV-2026-000101", **extra):
    fields = {"due_on": date(2027, 1, 6), "payment_terms": "Net 30 days",
              "payment_means": TRANSFER, "notes": ("Thank you for your business.",)}
    fields.update(extra)
    return Document(DocumentKind.INVOICE, number, date(2026, 12, 7), currency, SELLER, buyer,
                    tuple(lines), **fields)


def standard_multi_rate():
    """Domestic, two rates (§12 UStG: 19 % and 7 %): 10 seats × 49.90 = 499.00, VAT 94.81;
    a book at 7 %: 2 × 24.95 = 49.90, VAT 3.49. Total 499.00 + 49.90 + 94.81 + 3.49 = 647.20."""
    return invoice(GERMAN_BUYER, [
        line(1, "Platform seats", "10", "49.90", "499.00", "94.81", Category.STANDARD, 19),
        line(2, "Implementation handbook", "2", "24.95", "49.90", "3.49", Category.STANDARD, 7,
             period=None),
    ], purchase_order="PO-4711", buyer_reference="04011000-12345-34", delivered_on=None)


def zero_rated():
    return invoice(GERMAN_BUYER, [
        line(1, "Solar module installation", "1", "1200.00", "1200.00", "0.00", Category.ZERO),
    ])


def exempt():
    return invoice(GERMAN_BUYER, [
        line(1, "Training course (§4 Nr. 21 UStG)", "3", "300.00", "900.00", "0.00",
             Category.EXEMPT, reason=("Exempt education service, Art. 132(1)(i)",
                                      "VATEX-EU-132-1I")),
    ])


def reverse_charge():
    """B2B services to Belgium (Art. 44, 196): no VAT, the buyer accounts for it."""
    return invoice(BELGIAN_BUYER, [
        line(1, "Analytics subscription", "25", "39.00", "975.00", "0.00",
             Category.REVERSE_CHARGE, reason=REVERSE_CHARGE),
    ])


def intra_community():
    """Goods to a Belgian business (Art. 138): exempt, with the delivery date and country."""
    return invoice(BELGIAN_BUYER, [
        line(1, "Hardware security key", "40", "45.00", "1800.00", "0.00",
             Category.INTRA_COMMUNITY, reason=INTRA_COMMUNITY, period=None),
    ], delivered_on=date(2026, 12, 4), deliver_to_country="BE")


def oss_consumer():
    """A French consumer buying SaaS (Art. 58): French VAT 20 % through the OSS: 9.99 + 2.00."""
    return invoice(FRENCH_CONSUMER, [
        line(1, "Personal plan", "1", "9.99", "9.99", "2.00", Category.STANDARD, 20),
    ], payment_means=PaymentMeans(PaymentKind.CARD))


def export():
    """Services to a Swiss company, in Swiss francs: outside EU VAT."""
    return invoice(SWISS_BUYER, [
        line(1, "Enterprise subscription", "1", "12000.00", "12000.00", "0.00", Category.EXPORT,
             reason=EXPORT),
    ], currency="CHF")


def yen_invoice():
    """Zero-decimal currency: 3 × ¥15,000 = ¥45,000, 19 % = ¥8,550."""
    return invoice(GERMAN_BUYER, [
        line(1, "Tokyo region add-on", "3", "15000", "45000", "8550", Category.STANDARD, 19),
    ], currency="JPY")


def with_allowance_and_charge():
    """1,000.00 of services, a 10 % loyalty allowance (100.00) and a 50.00 onboarding charge,
    all at 19 %: base 950.00, VAT 190.00 − 19.00 + 9.50 = 180.50, total 1,130.50."""
    return invoice(GERMAN_BUYER, [
        line(1, "Consulting days", "4", "250.00", "1000.00", "190.00", Category.STANDARD, 19),
    ], allowances_charges=(
        AllowanceCharge(False, D("100.00"), D("19.00"), "Loyalty discount", Category.STANDARD,
                        D(19), "95"),
        AllowanceCharge(True, D("50.00"), D("9.50"), "Onboarding", Category.STANDARD, D(19)),
    ))


def direct_debit():
    return invoice(GERMAN_BUYER, [
        line(1, "Platform seats", "1", "100.00", "100.00", "19.00", Category.STANDARD, 19),
    ], payment_means=PaymentMeans(PaymentKind.DIRECT_DEBIT, mandate_reference="MANDATE-0042",
                                  debtor_iban="DE02120300000000202051",
                                  creditor_id="DE98ZZZ09999999999"))


def credit_line_on_invoice():
    """An amendment credit inside an invoice: a negative line keeps a positive price (BR-27)."""
    return invoice(GERMAN_BUYER, [
        line(1, "Platform seats", "10", "50.00", "500.00", "95.00", Category.STANDARD, 19),
        line(2, "Credit for seats removed", "1", "-120.00", "-120.00", "-22.80",
             Category.STANDARD, 19),
    ])


def partial_credit_note():
    """Credits 3 of the 10 seats of INV-2026-000101: 149.70 + 28.44 VAT."""
    return Document(DocumentKind.CREDIT_NOTE, "CN-2026-000007", date(2026, 12, 15), "EUR",
                    SELLER, GERMAN_BUYER,
                    (line(1, "Platform seats", "3", "49.90", "149.70", "28.44",
                          Category.STANDARD, 19),),
                    notes=("Service issue: three seats were never provisioned.",),
                    preceding=(PrecedingInvoice("INV-2026-000101", date(2026, 12, 7)),),
                    payment_means=TRANSFER, purchase_order="PO-4711")


ALL = {"standard, two rates and a PO": standard_multi_rate, "zero rated": zero_rated,
       "exempt": exempt, "reverse charge": reverse_charge,
       "intra-Community supply": intra_community, "OSS consumer": oss_consumer,
       "export in CHF": export, "yen": yen_invoice, "allowance and charge":
       with_allowance_and_charge, "direct debit": direct_debit,
       "credit line on an invoice": credit_line_on_invoice,
       "partial credit note": partial_credit_note}
