"""The builder as a CPQ user works it (ux review, gap 9): a catalog panel with prices, adding one
or many without a page load, pasting a list, the discount a line gives, approval badges before
Submit, errors at the field keeping what was typed."""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from quotes.models import QuoteLine
from tests.quotes.factories import draft_quote, product, seat_lines

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def quote(catalog, sales_rep):
    return draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0")])


def _get(client, quote, name, data=None):
    return client.get(reverse(name, args=[quote.pk]), data or {}, **HTMX).content.decode()


def _post(client, quote, name, data):
    return client.post(reverse(name, args=[quote.pk]), data, **HTMX)


def test_the_catalog_panel_shows_prices_in_the_quotes_book_and_filters_by_family(
        client, quote, sales_rep):
    client.force_login(sales_rep)
    builder = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()
    assert '<option value="Seats">Seats</option>' in builder

    seats = _get(client, quote, "quotes:product_search", {"family": "Seats"})

    assert 'data-sku="SEAT-USER"' in seats and 'data-sku="ONBOARDING"' not in seats
    seat = product("SEAT-USER").pk
    assert ("<div><span data-price>$324.00 a unit · annual</span></div>"
            "<div><span data-price>$30.00 a unit · monthly</span></div>") in seats
    assert f'name="pick" value="{seat}"' in seats
    assert (f'<select name="period-{seat}" aria-label="Billing of User seat">'
            f'<option value="annual">Annual</option><option value="monthly">Monthly</option>'
            ) in seats
    found = _get(client, quote, "quotes:product_search", {"q": "onboard"})
    assert 'data-sku="ONBOARDING"' in found and 'data-sku="SEAT-USER"' not in found


def test_ticked_products_are_added_at_once_without_a_page_load(client, quote, sales_rep):
    seat, onboarding = product("SEAT-SSO"), product("ONBOARDING")
    client.force_login(sales_rep)

    response = _post(client, quote, "quotes:lines_add_many", {
        "pick": [seat.pk, onboarding.pk], f"qty-{seat.pk}": "12", f"qty-{onboarding.pk}": "1"})

    body = response.content.decode()
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert "2 products added." in body
    assert '<section id="quote-lines-section" hx-swap-oob="true"' in body
    assert 'id="quote-totals" hx-swap-oob="true"' in body
    assert list(quote.lines.order_by("position").values_list("product__sku", "quantity")) == [
        ("SEAT-USER", D(10)), ("SEAT-SSO", D(12)), ("ONBOARDING", D(1))]


def test_a_product_sold_by_the_year_and_month_is_added_with_the_billing_chosen(
        client, quote, sales_rep):
    seat = product("SEAT-USER")
    client.force_login(sales_rep)
    _post(client, quote, "quotes:lines_add_many", {
        "only": seat.pk, f"qty-{seat.pk}": "3", f"period-{seat.pk}": "monthly"})
    added = quote.lines.get(quantity=3)
    assert (added.billing_period, added.list_per_period) == ("monthly", D("90"))


def test_a_rows_own_add_button_adds_that_product_alone(client, quote, sales_rep):
    seat, onboarding = product("SEAT-SSO"), product("ONBOARDING")
    client.force_login(sales_rep)
    _post(client, quote, "quotes:lines_add_many", {
        "pick": [seat.pk], "only": onboarding.pk, f"qty-{onboarding.pk}": "2"})
    assert quote.lines.filter(product=onboarding, quantity=2).exists()
    assert not quote.lines.filter(product=seat).exists()


def test_a_line_added_past_the_first_hundred_is_shown_where_it_landed(client, catalog,
                                                                       sales_rep):
    quote = draft_quote(sales_rep, lines=seat_lines(100))
    client.force_login(sales_rep)

    body = _post(client, quote, "quotes:lines_add_many", {
        "only": product("ONBOARDING").pk}).content.decode()

    added = quote.lines.get(product__sku="ONBOARDING")
    assert f'id="line-{added.pk}"' in body and "Page 2 of 2" in body


def test_a_bad_quantity_in_the_panel_is_refused_in_plain_words(client, quote, sales_rep):
    seat = product("SEAT-SSO")
    client.force_login(sales_rep)

    response = _post(client, quote, "quotes:lines_add_many", {
        "pick": [seat.pk], f"qty-{seat.pk}": "-2"})

    body = response.content.decode()
    assert response.status_code == 422
    assert "Single sign-on (per seat): The quantity must be greater than zero." in body
    assert "Ensure this value" not in body and quote.lines.count() == 1


def test_a_pasted_list_is_previewed_with_each_rows_problem_and_nothing_added(client, quote,
                                                                            sales_rep):
    client.force_login(sales_rep)
    text = "SKU\tQty\nSEAT-SSO\t25\nNOPE 3\nONBOARDING, x\nPLATFORM 1\n"

    body = _post(client, quote, "quotes:lines_paste", {"text": text}).content.decode()

    assert "No product has the SKU NOPE." in body
    assert "“x” is not a quantity: write a number such as 12 or 2.5." in body
    assert "Q2C Cloud Platform has options: add it with Configure in the catalog." in body
    assert "3 of 4 lines cannot be added" in body and "Add these" not in body
    assert "<span data-price>$4.00 a unit · monthly</span>" in body
    # confirming a list with errors adds nothing either
    _post(client, quote, "quotes:lines_paste", {"text": text, "confirm": "1"})
    assert quote.lines.count() == 1


def test_a_clean_pasted_list_is_added_in_one_go(client, quote, sales_rep):
    client.force_login(sales_rep)
    text = "SEAT-SSO\t25\nonboarding, 1\nTRAINING-DAY 2"
    preview = _post(client, quote, "quotes:lines_paste", {"text": text}).content.decode()
    assert "Add these 3 lines" in preview

    body = _post(client, quote, "quotes:lines_paste",
                 {"text": text, "confirm": "1"}).content.decode()

    assert "3 pasted lines added." in body and 'id="quote-totals" hx-swap-oob="true"' in body
    assert list(quote.lines.order_by("position").values_list("product__sku", "quantity")) == [
        ("SEAT-USER", D(10)), ("SEAT-SSO", D(25)), ("ONBOARDING", D(1)),
        ("TRAINING-DAY", D(2))]


def test_each_line_shows_what_a_percent_discount_takes_off_each_period(client, catalog,
                                                                       sales_rep):
    # 10 single sign-on seats at $4 a month, 30% off: $12 off each month, $144 over 12 months
    quote = draft_quote(sales_rep, lines=[("SEAT-SSO", 10, "30")])
    client.force_login(sales_rep)

    page = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()

    assert 'data-line="off">−$12.00 / period · −$144.00 over term' in page
    assert 'data-line="list">$40.00' in page and 'data-line="net-period">$28.00' in page
    assert 'data-line="net">$336.00' in page


def test_approval_badges_appear_on_the_line_and_header_as_the_discount_is_typed(
        client, quote, sales_rep):
    seats = quote.lines.get()
    client.force_login(sales_rep)
    before = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()
    assert 'data-approval="none"' in before and "data-line-rule" not in before

    body = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]),
                       {"quantity": "10", "discount_percent": "30"}, **HTMX).content.decode()

    assert ('data-line-rule="Line discount above 20%" title="Submit will ask Finance to '
            'approve">Needs approval: Line discount above 20% · Finance') in body
    assert '<section class="card" id="approval-preview" hx-swap-oob="true"' in body
    assert 'data-rule="Line discount above 20%">Line discount above 20% · Finance approves' in body


def test_a_bad_quantity_keeps_what_was_typed_with_the_error_at_the_field(client, quote,
                                                                        sales_rep):
    seats = quote.lines.get()
    client.force_login(sales_rep)

    body = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]),
                       {"quantity": "-3", "discount_percent": "150"}, **HTMX).content.decode()

    assert 'value="-3"' in body and 'value="150"' in body
    assert ('data-error="quantity"><li>The quantity must be greater than zero.</li>') in body
    assert 'data-error="discount_percent"><li>A discount is between 0 and 100%.</li>' in body
    assert "Ensure this value" not in body and "quantity:" not in body
    assert QuoteLine.objects.get(pk=seats.pk).quantity == D(10)


def test_the_configurator_offers_one_edition_by_radio_and_add_ons_by_checkbox(client, quote,
                                                                            sales_rep):
    client.force_login(sales_rep)

    form = client.get(reverse("quotes:configure", args=[quote.pk]),
                      {"product": product("PLATFORM").pk}, **HTMX).content.decode()

    # the edition group allows exactly one: radio buttons, the default one chosen, with prices
    assert '<fieldset data-control="radio">' in form and "choose one</span>" in form
    assert 'type="radio" name="one-1" value="PLAT-PRO"' in form
    assert 'Platform Professional edition <span class="muted"><span data-price>$' in form
    # the add-ons allow many: checkboxes with a quantity box each
    assert '<fieldset data-control="checkbox">' in form
    assert 'type="checkbox" name="option" value="SEAT-SSO"' in form
    assert 'name="qty-SEAT-SSO" type="number"' in form
    assert 'name="opt-' not in form
    # quantities as plain digits (core.formatting), never "1.00" or "6E+1"
    assert re.search(r'name="qty-SEAT-SSO"[^>]* value="10"', form)
    assert not re.search(r'value="[0-9.]*(\.0+|E\+[0-9]+)"', form)

    # when the rep picks the Enterprise edition and 12 analytics seats
    response = client.post(reverse("quotes:line_add", args=[quote.pk]), {
        "product": product("PLATFORM").pk, "quantity": "1", "configured": "1",
        "one-1": "PLAT-ENT", "option": ["SEAT-ANALYTICS"], "qty-SEAT-ANALYTICS": "12",
        "qty-PLAT-ENT": "1"}, **HTMX)

    # then the platform is added with exactly those options
    assert "Q2C Cloud Platform added." in response.content.decode()
    assert set(quote.lines.filter(parent__isnull=False).values_list(
        "product__sku", "quantity")) == {("PLAT-ENT", D(1)), ("SEAT-ANALYTICS", D(12))}


def test_another_quotes_lines_are_copied_as_a_template(client, catalog, sales_rep, other_rep):
    # given an earlier quote with a discounted seat line in a section and a configured platform
    from quotes import services

    earlier = draft_quote(sales_rep, lines=[("SEAT-SSO", 12, "10")])
    services.update_line(line=earlier.lines.get(), by=sales_rep, section="Seats", note="Yearly")
    services.add_line(quote=earlier, product=product("PLATFORM"), by=sales_rep,
                      options={"PLAT-ENT": D(1), "SEAT-USER": D(20)})
    hidden = draft_quote(other_rep, lines=[("ONBOARDING", 1, "0")])
    quote = draft_quote(sales_rep, lines=[("ONBOARDING", 1, "0")])
    client.force_login(sales_rep)

    # when the rep copies the earlier quote's lines by its number
    body = _post(client, quote, "quotes:lines_copy", {"number": earlier.number.lower()}
                 ).content.decode()

    # then the same lines follow the draft's own, options under their platform
    assert f"2 lines copied from {earlier}." in body
    copied = list(quote.lines.order_by("position").values_list(
        "product__sku", "quantity", "discount_percent", "section", "note", "parent__product__sku"))
    assert copied == [("ONBOARDING", D(1), D(0), "", "", None),
                      ("SEAT-SSO", D(12), D(10), "Seats", "Yearly", None),
                      ("PLATFORM", D(1), D(0), "", "", None),
                      ("PLAT-ENT", D(1), D(0), "", "", "PLATFORM"),
                      ("SEAT-USER", D(20), D(0), "", "", "PLATFORM")]
    # and another rep's quote cannot be copied, nor can a number nobody has
    refused = _post(client, quote, "quotes:lines_copy", {"number": hidden.number})
    assert refused.status_code == 422 and "that you can see" in refused.content.decode()
    assert quote.lines.count() == 5
