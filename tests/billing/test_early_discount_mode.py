"""The early-payment (cash) discount's tax mode is recorded on each invoice when it is issued,
with the discount its terms grant (issue 17); in "always" mode the tax is computed at issue on
the net less the discount.

Worked example: Odoo, "Cash discounts and tax reduction" (odoo.com/documentation, Accounting >
Customer invoices > Cash discounts): an invoice of 100 € at 21 % VAT with a 2 % discount for
payment within 7 days is, with "Tax reduction: Always (upon invoice)", taxed 21 % of 98 = 20.58,
total 120.58 (118.58 paid early); with "On early payment" or "Never" the tax stays 21.00.
ERPNext's "Payment Terms Template" discount keeps the tax ("Never" here)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from billing.pdf import INVOICE_TEMPLATE, invoice_pdf_context
from billing.services import drafts
from billing.services.issuing import issue_invoice
from catalog import tax
from customers.models import PaymentTerms
from ledger.models import ExchangeRate
from tests.catalog.factories import TaxRateFactory
from tests.customers.factories import AccountFactory

ON = date(2026, 12, 1)


def test_always_mode_taxes_the_discounted_net_as_odoo_does():
    line = tax.TaxLine("a", D("100.00"), (tax.TaxRate("VAT", D(21)),))
    assert tax.tax_line(line, "EUR", early_discount=D(2)).tax == D("20.58")
    assert tax.tax_line(line, "EUR", early_discount=D(2)).net == D("100.00")
    assert tax.tax_line(line, "EUR").tax == D("21.00")
    with pytest.raises(ValueError, match="exclusive prices only"):
        tax.tax_line(line, "EUR", inclusive=True, early_discount=D(2))


def _two_ten_account():
    terms = PaymentTerms.objects.create(code="2-7-net-30", name="2% 7 days, net 30", days=30,
                                        early_discount_percent=D(2), early_discount_days=7)
    TaxRateFactory(name="BTW", country="BE", percent=D(21))
    ExchangeRate.objects.get_or_create(currency="EUR", valid_on=date(2026, 11, 1),
                                       defaults={"rate": D("1.10")})
    return AccountFactory(country="BE", currency="EUR", payment_terms=terms)


def _issued(account, finance):
    invoice = drafts.create_manual_invoice(account=account, by=finance)
    drafts.add_manual_charge(invoice=invoice, by=finance, description="Consulting",
                             quantity=D(1), unit_price=D("100.00"), on=ON)
    return issue_invoice(invoice=invoice, by=finance, on=ON)


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "tax_total", "total"), [
    ("always", "20.58", "120.58"), ("on_early_payment", "21.00", "121.00"),
    ("never", "21.00", "121.00")])
def test_issue_records_the_mode_and_always_taxes_the_discounted_net(
        settings, client, finance, mode, tax_total, total):
    # given the company's mode and a customer on 2% / 7 days, net 30, at 21% VAT
    settings.EARLY_DISCOUNT_TAX_MODE = mode
    account = _two_ten_account()
    # when a draft of 100.00 is issued
    invoice = _issued(account, finance)
    invoice.refresh_from_db()
    # then the invoice keeps the mode and the discount, and its tax follows the mode
    assert (invoice.early_discount_tax_mode, invoice.early_discount_percent,
            invoice.early_discount_days) == (mode, D(2), 7)
    assert (invoice.subtotal, invoice.tax_total, invoice.total, invoice.amount_due) == (
        D("100.00"), D(tax_total), D(total), D(total))
    line = invoice.lines.get()
    assert line.tax_amount == D(tax_total)
    vat = invoice.taxes.get()
    assert (vat.tax_amount, vat.taxable_amount) == (
        D(tax_total), D("98.00") if mode == "always" else D("100.00"))
    assert sum(i.amount for i in invoice.instalments.all()) == D(total)
    entry = invoice.journal_entry
    assert entry.total_debit == entry.total_credit
    # the receivable posted is the total issued (its tax as retaxed), at the EUR rate 1.10
    assert entry.total_debit == (D(total) * D("1.10")).quantize(D("0.01"))
    # and a setting changed later does not move it
    settings.EARLY_DISCOUNT_TAX_MODE = "never"
    invoice.refresh_from_db()
    assert invoice.early_discount_tax_mode == mode
    # shown on the page, the PDF and the API
    client.force_login(finance)
    page = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "2% off if paid within 7 days" in page
    assert invoice.get_early_discount_tax_mode_display().lower() in page
    pdf_html = render_to_string(INVOICE_TEMPLATE, invoice_pdf_context(invoice))
    assert "Early payment: 2% off if paid within 7 days" in pdf_html
    assert ("whether or not it is taken" in pdf_html) == (mode == "always")
    body = client.get(reverse("api:invoice-detail", args=[invoice.pk])).json()
    assert (body["early_discount_tax_mode"], D(body["early_discount_percent"]),
            body["early_discount_days"]) == (mode, D(2), 7)


@pytest.mark.django_db
def test_an_invoice_without_an_early_discount_keeps_its_tax_and_prints_no_offer(
        settings, finance):
    settings.EARLY_DISCOUNT_TAX_MODE = "always"
    TaxRateFactory(name="VAT", country="US", percent=D(10))
    invoice = _issued(AccountFactory(country="US", currency="USD"), finance)
    invoice.refresh_from_db()
    assert (invoice.early_discount_tax_mode, invoice.early_discount_percent) == ("always", None)
    assert invoice.tax_total == D("10.00")
    assert "Early payment" not in render_to_string(INVOICE_TEMPLATE,
                                                   invoice_pdf_context(invoice))
