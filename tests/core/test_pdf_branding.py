"""Customer documents carry the company's logo and colour, and a euro invoice can carry the EPC
QR code a banking app scans (issue 16: "the QR code, logo and colours")."""

import base64
from decimal import Decimal

import pytest
import segno.helpers
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from core.pdf import letterhead, logo_data_uri, sepa_transfer_qr

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                       "YAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def test_without_a_logo_the_letterhead_has_none_and_the_house_colour(settings):
    settings.COMPANY_LOGO = ""
    company = letterhead()
    assert (company["logo"], company["colour"]) == ("", "#1d2330")
    assert "<img" not in render_to_string("core/pdf/_letterhead.html", {"company": company})


def test_the_logo_file_travels_inside_the_document_and_the_colour_styles_it(settings, tmp_path):
    (tmp_path / "logo.png").write_bytes(PNG)
    settings.COMPANY_LOGO, settings.COMPANY_COLOUR = str(tmp_path / "logo.png"), "#0a7d5a"
    company = letterhead()
    assert company["logo"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert f'<img class="logo" src="{company["logo"]}"' in render_to_string(
        "core/pdf/_letterhead.html", {"company": company})
    style = render_to_string("core/pdf/_style.html", {"company": company, "footer": "x"})
    assert "border-bottom: 1.5pt solid #0a7d5a" in style and "color: #0a7d5a" in style


@pytest.mark.parametrize("name", ["missing.png", "logo.gif"])
def test_a_logo_that_is_not_an_image_file_is_a_configuration_error(settings, tmp_path, name):
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    settings.COMPANY_LOGO = str(tmp_path / name)
    with pytest.raises(ImproperlyConfigured, match="is not a PNG, JPEG or SVG file"):
        logo_data_uri()


def test_a_euro_amount_gets_the_epc_qr_code_of_the_sepa_transfer():
    # The payload is EPC069-12's: BCD, version 002, SCT, the BIC, the name, the IBAN,
    # "EUR" and the amount, then the remittance text (the Bundesbank's example account).
    qr = sepa_transfer_qr(name="Q2C Software GmbH", iban="DE89370400440532013000",
                          bic="COBADEFFXXX", amount=Decimal("1234.50"), currency="EUR",
                          reference="INV-2026-000042")
    expected = segno.helpers.make_epc_qr(
        name="Q2C Software GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX",
        amount=Decimal("1234.50"), text="INV-2026-000042").png_data_uri(scale=4, border=2)
    assert qr == expected and qr.startswith("data:image/png")


@pytest.mark.parametrize("amount, currency, iban", [
    (Decimal("10.00"), "USD", "DE89370400440532013000"),  # EPC codes are for euros only
    (Decimal("0.00"), "EUR", "DE89370400440532013000"),  # nothing to pay
    (Decimal("10.00"), "EUR", ""),  # nowhere to pay it
])
def test_no_qr_code_where_it_cannot_apply(amount, currency, iban):
    assert sepa_transfer_qr(name="Q2C", iban=iban, amount=amount, currency=currency,
                            reference="INV-1") == ""
