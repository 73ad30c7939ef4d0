import builtins
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.templatetags.money import money
from quotes import pdf
from quotes.pdf import INSTALL_HINT, PdfUnavailable, render_quote_pdf
from tests.quotes.sent_quotes import approved_quote

pytestmark = pytest.mark.django_db


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

    assert response.status_code == 200
