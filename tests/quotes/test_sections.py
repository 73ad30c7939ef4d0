"""Arranging a quote: sections with subtotals, moving lines up and down, line notes; on the
builder and on the PDF."""


import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quotes import services
from quotes.pdf import render_quote_html
from tests.quotes.factories import skus

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_line_moves_with_its_options_and_positions_stay_in_order(quote, sales_rep):
    assert skus(quote) == ["SEAT-USER", "PLATFORM", "PLAT-PRO", "SEAT-USER", "ONBOARDING"]
    onboarding = quote.lines.get(product__sku="ONBOARDING")
    platform = quote.lines.get(product__sku="PLATFORM")

    services.move_line(line=onboarding, by=sales_rep, up=True)
    assert skus(quote) == ["SEAT-USER", "ONBOARDING", "PLATFORM", "PLAT-PRO", "SEAT-USER"]
    services.move_line(line=platform, by=sales_rep, up=True)
    services.move_line(line=platform, by=sales_rep, up=True)
    services.move_line(line=platform, by=sales_rep, up=True)  # already first: nothing moves

    assert skus(quote) == ["PLATFORM", "PLAT-PRO", "SEAT-USER", "SEAT-USER", "ONBOARDING"]
    assert list(quote.lines.order_by("position").values_list("position", flat=True)) == [
        1, 2, 3, 4, 5]
    option = quote.lines.get(product__sku="PLAT-PRO")
    with pytest.raises(ValidationError, match="An option moves with its product."):
        services.move_line(line=option, by=sales_rep, up=False)


def test_sections_show_their_subtotal_on_the_builder_and_the_pdf_with_notes(client, quote,
                                                                           sales_rep):
    seats = quote.lines.get(product__sku="SEAT-USER", parent__isnull=True)
    onboarding = quote.lines.get(product__sku="ONBOARDING")
    platform = quote.lines.get(product__sku="PLATFORM")
    client.force_login(sales_rep)

    # when the rep names sections in the rows and writes a note
    response = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]), {
        "quantity": "10", "section": "Subscriptions", "note": "Named users only."}, **HTMX)
    assert response.headers["HX-Trigger"] == "quote-changed, lines-changed"
    client.post(reverse("quotes:line_update", args=[quote.pk, platform.pk]),
                {"quantity": "1", "section": "Subscriptions"}, **HTMX)
    client.post(reverse("quotes:line_update", args=[quote.pk, onboarding.pk]),
                {"quantity": "1", "section": "Services"}, **HTMX)

    # then the table heads each section with its subtotal (options count in their product's)
    subscriptions = sum(line.net_amount for line in quote.lines.exclude(
        product__sku="ONBOARDING"))
    table = client.get(reverse("quotes:lines", args=[quote.pk]), **HTMX).content.decode()
    assert table.count('class="section-head"') == 2
    assert ('data-section="Subscriptions"><th colspan="7"><button type="button" class="link" '
            'data-collapse aria-expanded="true" aria-label="Fold or unfold Subscriptions">▾'
            f'</button> Subscriptions</th><td class="num" data-section-subtotal>'
            f'${subscriptions:,.2f}</td>') in table
    assert "</button> Services</th>" in table
    assert "Named users only.</textarea>" in table
    # and a note alone does not ask for the table again
    again = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]),
                        {"quantity": "10", "section": "Subscriptions", "note": "Named."}, **HTMX)
    assert again.headers["HX-Trigger"] == "quote-changed"
    # and the PDF shows the same sections, subtotals and note
    html = render_quote_html(quote)
    assert f'<th colspan="7">Subscriptions</th><th class="num">${subscriptions:,.2f}</th>' in html
    assert '<span class="note">Named.</span>' in html


def test_an_option_cannot_leave_its_products_section(client, quote, sales_rep):
    option = quote.lines.get(product__sku="PLAT-PRO")
    with pytest.raises(ValidationError, match="An option follows its product's section."):
        services.update_line(line=option, by=sales_rep, section="Elsewhere")


def test_the_move_buttons_return_the_table_in_its_new_order(client, quote, sales_rep):
    onboarding = quote.lines.get(product__sku="ONBOARDING")
    client.force_login(sales_rep)

    body = client.post(reverse("quotes:line_move", args=[quote.pk, onboarding.pk]),
                       {"direction": "up", "page": "1"}, **HTMX).content.decode()

    assert body.index(f'id="line-{onboarding.pk}"') < body.index("Q2C Cloud Platform")
    assert skus(quote)[1] == "ONBOARDING"


def test_a_pasted_list_with_section_lines_fills_the_sections(client, quote, sales_rep):
    client.force_login(sales_rep)
    text = "# Hardware\nDEVICE-GW\t3\n# Services\nTRAINING-DAY 2"

    client.post(reverse("quotes:lines_paste", args=[quote.pk]), {"text": text, "confirm": "1"},
                **HTMX)

    assert list(quote.lines.filter(position__gt=5).order_by("position").values_list(
        "product__sku", "section")) == [("DEVICE-GW", "Hardware"), ("TRAINING-DAY", "Services")]
