import builtins
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.templatetags.money import money
from quotes import pdf
from quotes.pdf import INSTALL_HINT, PdfUnavailable, render_quote_pdf
from tests.quotes.sent_quotes import approved_quote

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def quote(sales_rep):
    return approved_quote(owner=sales_rep)


def test_the_pdf_shows_letterhead_customer_lines_totals_terms_and_signature_block(quote, settings):
    settings.COMPANY_NAME = "Northwind Software GmbH"

    text = pdf_text(render_quote_pdf(quote))

    def usd(amount):
        return money(amount, "USD")

    for expected in [
        "Northwind Software GmbH", f"Quote {quote.number}", "Valid until 31 December 2026",
        "Acme Widgets", "Ada Buyer", "buyer@acme.example", "User seat", "Onboarding package",
        "Net 30", "Term 12 months", "Start 1 December 2026",
        f"One-time {usd(quote.one_time_total)}",
        f"Recurring per month {usd(quote.recurring_monthly)}",
        f"Annual contract value {usd(quote.annual_contract_value)}",
        f"Total contract value {usd(quote.total_contract_value)}",
        f"Discount -{usd(quote.discount_total)}", f"Estimated tax {usd(quote.tax_estimate)}",
        "Prices include onboarding for two admins.", "Signature and date",
    ]:
        assert expected in text, expected


def test_rendering_writes_nothing(quote, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as queries:
        render_quote_pdf(quote)

    assert not [q for q in queries.captured_queries
                if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.fixture
def without_weasyprint(monkeypatch):
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)


@pytest.mark.usefixtures("without_weasyprint")
def test_missing_system_libraries_raise_an_error_naming_the_packages(quote):
    with pytest.raises(PdfUnavailable, match="apt-get install libpango-1.0-0") as error:
        pdf.render_quote_pdf(quote)

    assert INSTALL_HINT in str(error.value)


@pytest.mark.usefixtures("without_weasyprint")
def test_the_preview_page_explains_missing_libraries_with_503(client, sales_rep, quote):
    client.force_login(sales_rep)

    response = client.get(reverse("quote_documents:preview", args=[quote.pk]))

    assert response.status_code == 503
    assert INSTALL_HINT in response.content.decode()


def test_the_owner_previews_inline_and_downloads_as_attachment(client, sales_rep, quote):
    client.force_login(sales_rep)

    preview = client.get(reverse("quote_documents:preview", args=[quote.pk]))
    download = client.get(reverse("quote_documents:download", args=[quote.pk]))

    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline;")
    assert download["Content-Disposition"] == (
        f'attachment; filename="{quote.number}-v1.pdf"')
    assert download.content.startswith(b"%PDF")


def test_a_sent_quote_previews_the_stored_bytes(client, sales_rep, quote):
    quote.__dict__["sent_pdf"] = b"%PDF-stored"
    quote.save(update_fields=["sent_pdf"])
    client.force_login(sales_rep)

    response = client.get(reverse("quote_documents:preview", args=[quote.pk]))

    assert response.content == b"%PDF-stored"


def test_another_teams_rep_cannot_see_the_pdf(client, other_rep, quote):
    client.force_login(other_rep)

    response = client.get(reverse("quote_documents:preview", args=[quote.pk]))

    assert response.status_code == 404


def test_finance_sees_every_quotes_pdf(client, finance, quote):
    client.force_login(finance)

    response = client.get(reverse("quote_documents:download", args=[quote.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"Quote {quote.number}" in pdf_text(response.content)


def test_the_pdf_shows_the_billing_schedule_aligned_to_the_accounts_bill_day(sales_rep):
    # given 10 seats at $255.00 a month from 1 December, for an account billed on the 15th
    quote = approved_quote(owner=sales_rep)
    quote.account.bill_day = quote.bill_day = 15  # a quote made for an account billed on the 15th
    quote.account.save(update_fields=["bill_day"])
    quote.save(update_fields=["bill_day"])
    onboarding = quote.lines.get(product__sku="ONBOARDING")

    # when
    html = pdf.render_quote_html(quote)

    # then: a first part period to the 14th, whole months from the 15th, a last part period
    schedule = html[html.index("Billing schedule"):html.index("Before tax")]
    assert "1 December 2026" in schedule and "14 of 30 days × $255.00 = $119.00" in schedule
    assert money(Decimal("119.00") + onboarding.net_amount, "USD") in schedule
    assert "15 December 2026" in schedule and "15 October 2027" in schedule
    assert "15 November 2027" in schedule and "$136.00" in schedule  # 16 of 30 days
    assert "15 December 2027" not in schedule


def test_a_line_aligned_to_its_start_day_bills_whole_months_from_it(sales_rep):
    quote = approved_quote(owner=sales_rep)
    quote.account.bill_day = quote.bill_day = 15  # a quote made for an account billed on the 15th
    quote.account.save(update_fields=["bill_day"])
    quote.save(update_fields=["bill_day"])
    quote.lines.filter(product__sku="SEAT-USER").update(billing_alignment="anniversary")

    html = pdf.render_quote_html(quote)
    schedule = html[html.index("Billing schedule"):html.index("Before tax")]

    assert "1 November 2027" in schedule and "15 December 2026" not in schedule
    assert " days × " not in schedule  # no part period
    assert schedule.count('<td class="num">$255.00</td>') == 11  # January to November


def test_a_tiered_price_shows_its_tiers_applied_and_no_number_in_exponent_form(sales_rep):
    """API calls (demo book): up to 100,000 at $0.0010, over 100,000 up to 1,000,000 at
    $0.0008, over 1,000,000 at $0.0005 plus a $50 step-up fee. 1,500,000 calls a month charge
    100,000 × 0.0010 + 900,000 × 0.0008 + (500,000 × 0.0005 + 50) = 100 + 720 + 300 = $1,120."""
    from quotes import services
    from quotes.models import QuoteState
    from tests.quotes.factories import product

    # given a draft with 1.5 million API calls a month and 60 seats (60.0000 stored: "6E+1")
    quote = approved_quote(owner=sales_rep, state=QuoteState.DRAFT)
    services.add_line(quote=quote, product=product("API-CALLS"), by=sales_rep,
                      quantity=Decimal(1500000))
    services.update_line(line=quote.lines.get(product__sku="SEAT-USER"), by=sales_rep,
                         quantity=Decimal("60.0000"))
    quote.payment_terms.early_discount_percent = Decimal("2.00")
    quote.payment_terms.early_discount_days = 10
    quote.payment_terms.save()
    quote.refresh_from_db()

    # when
    html = pdf.render_quote_html(quote)

    # then each tier says its range, rate and what it charges at this quantity
    lines = html[html.index("<h2>Lines</h2>"):html.index('<table class="totals">')]
    assert "Up to 100,000: $0.001 each · for 100,000: $100.00 a period" in lines
    assert ("Over 100,000 up to 1,000,000: $0.0008 each · for 900,000: $720.00 a period"
            in lines)
    assert "Over 1,000,000: $0.0005 each + $50.00 · for 500,000: $300.00 a period" in lines
    api = quote.lines.get(product__sku="API-CALLS")
    assert api.amount_per_period == Decimal("1120.00")
    assert '<td class="num">Tiered</td>' in lines and "$0.00</td>" not in lines
    assert '<td class="num">60</td>' in lines and '<td class="num">$30.00</td>' in lines
    assert "Net 30, 2% off if paid within 10 days" in html
    assert "E+" not in html and "E-" not in html
