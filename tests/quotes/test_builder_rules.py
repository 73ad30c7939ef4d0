"""The builder's configuration and bundle rules at their place, and named quote templates
(issue 21): errors at the option they are about, keeping what was typed; a bundle's included
components locked to their bundle; a quote's lines saved under a name and new quotes started
from them."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quotes import services
from quotes.models import Quote, QuoteTemplate
from tests.quotes.factories import START, account_for, draft_quote, product

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def quote(catalog, sales_rep):
    return draft_quote(sales_rep, lines=[("ONBOARDING", 1, "0")])


def _configure(client, quote, **data):
    return client.post(reverse("quotes:line_add", args=[quote.pk]), {
        "product": product("PLATFORM").pk, "quantity": "1", "configured": "1", **data}, **HTMX)


def test_a_broken_rule_is_shown_at_its_option_keeping_what_was_typed(client, quote, sales_rep):
    client.force_login(sales_rep)

    # when the rep picks the Starter edition with single sign-on, and no user seats
    response = _configure(client, quote, **{"one-1": "PLAT-STARTER", "option": ["SEAT-SSO"],
                                            "qty-SEAT-SSO": "14"})

    # then each rule's reason sits under single sign-on, the form keeps the choices typed
    body = response.content.decode()
    assert response.status_code == 200
    at_sso = body.split('data-option-error="SEAT-SSO">')[1].split("</ul>")[0]
    assert "Single sign-on needs the Professional or Enterprise edition." in at_sso
    assert "Single sign-on (per seat) requires User seat." in at_sso
    assert 'value="SEAT-SSO" checked' in body and 'name="qty-SEAT-SSO"' in body
    assert 'value="14"' in body and 'value="PLAT-STARTER" checked' in body
    assert 'class="errorlist form-error"' not in body  # nothing left without a place
    assert quote.lines.count() == 1


def test_an_option_quantity_outside_its_limits_is_refused_at_the_option(client, quote,
                                                                       sales_rep):
    client.force_login(sales_rep)
    form = client.get(reverse("quotes:configure", args=[quote.pk]),
                      {"product": product("PLATFORM").pk}, **HTMX).content.decode()
    assert 'name="qty-SEAT-USER" type="number" step="any" min="0.0001"' in form

    # a ticked add-on with no quantity, and a group left without its one required choice
    body = _configure(client, quote, **{"one-1": "", "option": ["SEAT-USER"],
                                        "qty-SEAT-USER": "0"}).content.decode()

    assert ('data-option-error="SEAT-USER"><li>The quantity of User seat must be greater than '
            'zero.</li>') in body
    assert 'data-group-error="Edition"><li>Choose at least 1 in &quot;Edition&quot;.' in body
    assert quote.lines.count() == 1


def test_the_rules_are_checked_as_the_rep_changes_the_options(client, quote, sales_rep):
    client.force_login(sales_rep)
    check = reverse("quotes:configure_check", args=[quote.pk])
    assert f'hx-post="{check}" hx-trigger="change"' in client.get(
        reverse("quotes:configure", args=[quote.pk]), {"product": product("PLATFORM").pk},
        **HTMX).content.decode()
    data = {"product": product("PLATFORM").pk, "quantity": "1", "configured": "1",
            "one-1": "PLAT-PRO", "option": ["SEAT-ANALYTICS"], "qty-SEAT-ANALYTICS": "5"}

    # when analytics is ticked with the Professional edition
    body = client.post(check, data, **HTMX).content.decode()

    # then the reason shows at analytics at once, and nothing is added
    assert ('data-option-error="SEAT-ANALYTICS"><li>Advanced analytics (per seat) requires '
            'Platform Enterprise edition.</li>') in body
    # and once the Enterprise edition is picked the configuration is said to be valid
    body = client.post(check, {**data, "one-1": "PLAT-ENT"}, **HTMX).content.decode()
    assert 'data-configuration="valid"' in body and "data-option-error" not in body
    assert quote.lines.count() == 1


def _bundle(quote, sales_rep, quantity=2):
    services.add_line(quote=quote, product=product("BUNDLE-GROWTH"), by=sales_rep,
                      quantity=D(quantity))
    return {line.product.sku: line for line in quote.lines.filter(parent__isnull=False)
            .select_related("product")}


def test_an_included_component_is_neither_removed_nor_repriced_alone(quote, sales_rep):
    components = _bundle(quote, sales_rep)
    seats = components["SEAT-USER"]
    assert seats.included and seats.quantity == D(50)

    with pytest.raises(ValidationError) as removed:
        services.remove_line(line=seats, by=sales_rep)
    assert removed.value.message_dict == {"line": [
        "User seat is included in Growth bundle (Pro, 25 seats, onboarding): remove Growth "
        "bundle (Pro, 25 seats, onboarding) to remove it."]}
    with pytest.raises(ValidationError) as repriced:
        services.update_line(line=seats, by=sales_rep, quantity=D(60), discount_percent=D(10))
    assert set(repriced.value.message_dict) == {"quantity", "discount_percent"}
    assert repriced.value.message_dict["quantity"] == [
        "User seat is included in Growth bundle (Pro, 25 seats, onboarding): change Growth "
        "bundle (Pro, 25 seats, onboarding)'s quantity instead."]
    seats.refresh_from_db()
    assert (seats.quantity, seats.discount_percent) == (D(50), D(0))
    # a component sold separately (premium support) stays the rep's to change
    support = services.update_line(line=components["SUPPORT-PREMIUM"], by=sales_rep,
                                   discount_percent=D(5))
    assert support.discount_percent == D(5)


def test_an_included_component_follows_its_bundles_quantity(quote, sales_rep):
    onboarding = quote.lines.get(product__sku="ONBOARDING")  # noise: a line of its own
    components = _bundle(quote, sales_rep, quantity=2)
    parent = components["SEAT-USER"].parent

    services.update_line(line=parent, by=sales_rep, quantity=D(3))

    assert dict(parent.options.filter(included=True).values_list("product__sku", "quantity")
                ) == {"PLAT-PRO": D(3), "SEAT-USER": D(75), "ONBOARDING": D(3)}
    assert parent.options.get(product__sku="SUPPORT-PREMIUM").quantity == D(2)
    onboarding.refresh_from_db()
    assert onboarding.quantity == D(1)


def test_the_builder_locks_an_included_component(client, quote, sales_rep):
    seats = _bundle(quote, sales_rep)["SEAT-USER"]
    client.force_login(sales_rep)

    page = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()
    row = page.split(f'id="line-{seats.pk}"')[1].split("</tr>")[0]

    assert 'data-locked="quantity"' in row and 'data-locked="remove"' in row
    assert f"lines/{seats.pk}/remove/" not in row and 'name="discount_percent"' not in row
    # the row's note still saves (its quantity is posted as it is)
    response = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]),
                           {"quantity": "50", "note": "For the whole team"}, **HTMX)
    assert response.status_code == 200
    seats.refresh_from_db()
    assert seats.note == "For the whole team"


def test_a_quotes_lines_saved_as_a_template_start_a_new_quote(client, quote, sales_rep,
                                                              other_rep):
    # given a quote with a configured platform, a discounted seat line in a section, a bundle
    services.add_line(quote=quote, product=product("PLATFORM"), by=sales_rep,
                      options={"PLAT-ENT": D(1), "SEAT-USER": D(20)})
    seats = services.add_line(quote=quote, product=product("SEAT-SSO"), by=sales_rep,
                              quantity=D(12), discount_percent=D(10))
    services.update_line(line=seats, by=sales_rep, section="Seats", note="Yearly")
    _bundle(quote, sales_rep, quantity=1)
    client.force_login(sales_rep)

    # when the rep saves its lines as a template from the builder
    saved = client.post(reverse("quotes:template_save", args=[quote.pk]),
                        {"name": "  Enterprise starter  "}, **HTMX).content.decode()
    assert "Template “Enterprise starter” saved with 4 lines." in saved
    # and a second template of the same name is refused at the name
    again = client.post(reverse("quotes:template_save", args=[quote.pk]),
                        {"name": "enterprise STARTER"}, **HTMX)
    assert again.status_code == 422
    assert ('data-error="name"><li>A template named “enterprise STARTER” exists already: '
            'choose another name.</li>') in again.content.decode()

    # and another rep starts a new quote from it
    template = QuoteTemplate.objects.get()
    account = account_for(other_rep, currency="EUR", country="DE")
    client.force_login(other_rep)
    response = client.post(reverse("quotes:create"), {
        "account": account.pk, "template": template.pk, "start_on": START.isoformat(),
        "term_months": 12, "expires_on": date(2026, 12, 31).isoformat()})

    # then the new quote has the same lines, priced from its own (euro) book
    new = Quote.objects.get(account=account)
    assert response.status_code == 302 and response.url == reverse("quotes:builder",
                                                                   args=[new.pk])
    assert new.currency == "EUR" and new.total_contract_value > 0
    copied = list(new.lines.order_by("position").values_list(
        "product__sku", "quantity", "discount_percent", "section", "note", "parent__product__sku"))
    assert copied == [
        ("ONBOARDING", D(1), D(0), "", "", None),
        ("PLATFORM", D(1), D(0), "", "", None),
        ("PLAT-ENT", D(1), D(0), "", "", "PLATFORM"),
        ("SEAT-USER", D(20), D(0), "", "", "PLATFORM"),
        ("SEAT-SSO", D(12), D(10), "Seats", "Yearly", None),
        ("BUNDLE-GROWTH", D(1), D(0), "", "", None),
        ("PLAT-PRO", D(1), D(0), "", "", "BUNDLE-GROWTH"),
        ("SEAT-USER", D(25), D(0), "", "", "BUNDLE-GROWTH"),
        ("ONBOARDING", D(1), D(0), "", "", "BUNDLE-GROWTH"),
        ("SUPPORT-PREMIUM", D(1), D(0), "", "", "BUNDLE-GROWTH")]


def test_a_template_is_added_to_a_draft_and_refused_when_the_book_lacks_a_product(
        client, quote, sales_rep):
    template = services.save_as_template(quote=quote, name="Onboarding only", by=sales_rep)
    client.force_login(sales_rep)

    body = client.post(reverse("quotes:lines_template", args=[quote.pk]),
                       {"template": template.pk}, **HTMX).content.decode()

    assert "Template Onboarding only: 1 line added." in body
    assert quote.lines.filter(product__sku="ONBOARDING").count() == 2
    refused = client.post(reverse("quotes:lines_template", args=[quote.pk]),
                          {"template": "999999"}, **HTMX)
    assert refused.status_code == 422 and "Choose a template from the list." in (
        refused.content.decode())
    with pytest.raises(ValidationError) as empty:
        services.save_as_template(quote=draft_quote(sales_rep), name="Empty", by=sales_rep)
    assert empty.value.message_dict == {"quote": [
        f"Quote {Quote.objects.latest('pk')} has no lines to save."]}
