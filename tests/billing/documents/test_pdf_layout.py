"""A 60-line invoice's PDF is fit to send (review 2026-12, gap 11): no row split across pages,
the table header on every page, the total on the page of the last rows, seller's and buyer's
tax IDs, remittance details and the pay link, and no zero usage lines."""

import io
import re
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from billing.models import Invoice, InvoiceLine, LineSource
from billing.pdf import render_invoice_pdf
from billing.services.issuing import issue_invoice
from tests.payments.factories import account

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]
LINES = 60


def sixty_line_invoice(finance):
    owner = account(tax_id="US-99-1234567")
    lines = [InvoiceLine(position=n, source=LineSource.RECURRING, quantity=D(n),
                         description=f"Row{n:02d} platform seat licence for the finance team "
                                     f"with premium support and onboarding",
                         unit_price=D("10.00"), amount=D(n) * 10 + D("0.01") * n)
             for n in range(1, LINES + 1)]
    lines.append(InvoiceLine(position=LINES + 1, source=LineSource.USAGE, quantity=D(0),
                             description="API calls above the allowance", unit_price=D(0),
                             amount=D(0)))
    total = sum(line.amount for line in lines)
    invoice = Invoice.objects.create(account=owner, currency="USD", subtotal=total, tax_total=0,
                                     total=total, amount_due=total)
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    return issue_invoice(invoice=invoice, by=finance)


def test_a_sixty_line_invoice_keeps_rows_whole_and_the_total_with_them(finance, settings):
    # given
    settings.COMPANY_VAT_ID, settings.COMPANY_IBAN = "GB123456789", "GB33BUKB20201555555555"
    settings.COMPANY_BIC = "BUKBGB22"
    invoice = sixty_line_invoice(finance)

    # when
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_invoice_pdf(invoice))).pages]

    # then: each row (its name and its amount) lies on one page
    assert len(pages) >= 2
    for n in range(1, LINES + 1):
        amount = f"${D(n) * 10 + D('0.01') * n:,.2f}"
        holding = [i for i, text in enumerate(pages) if f"Row{n:02d}" in text]
        assert len(holding) == 1, f"row {n} is on pages {holding}"
        assert amount in pages[holding[0]], f"row {n}'s amount is not on its row's page"
        assert "onboarding" in pages[holding[0]].split(f"Row{n:02d}")[1][:200], (
            f"row {n} is split across pages")
    # the header repeats on every page that has rows
    for text in pages:
        if re.search(r"Row\d\d", text):
            assert "Description" in text and "Unit price" in text
    # the total is on the page of the last row
    last_row_page = next(i for i, text in enumerate(pages) if f"Row{LINES:02d}" in text)
    total_page = next(i for i, text in enumerate(pages)
                      if re.search(r"(?<!Sub)Total \$", text))
    assert total_page == last_row_page
    text = "\n".join(pages)
    # the zero usage line is left out, and said so
    assert "API calls above the allowance" not in text
    assert "1 usage line with nothing used is not listed" in text
    # tax IDs, remittance details, the pay link
    assert "GB123456789" in text and "US-99-1234567" in text
    assert "GB33BUKB20201555555555" in text and "BUKBGB22" in text
    assert f"Please quote {invoice.number}" in text
    assert "/pay/" in text.replace("\n", "")
