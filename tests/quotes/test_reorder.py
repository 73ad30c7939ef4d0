"""Dragging lines into a new order: the page posts the order of the products it shows; options
and components move with their product; the server checks the order before it changes any
position; only the quote's owner (or who may change it) reorders."""


import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from quotes import services
from tests.quotes.factories import draft_quote, seat_lines, skus

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _heads(quote):
    return {line.product.sku: line.pk for line in quote.lines.filter(parent__isnull=True)}


def test_the_products_take_the_order_given_with_their_options(quote, sales_rep):
    heads = _heads(quote)

    services.reorder_lines(quote=quote, by=sales_rep,
                           order=[heads["ONBOARDING"], heads["PLATFORM"], heads["SEAT-USER"]])

    assert skus(quote) == ["ONBOARDING", "PLATFORM", "PLAT-PRO", "SEAT-USER", "SEAT-USER"]
    assert list(quote.lines.order_by("position").values_list("position", flat=True)) == [
        1, 2, 3, 4, 5]
    assert quote.lines.get(product__sku="PLAT-PRO").parent_id == heads["PLATFORM"]


def test_a_part_of_the_lines_is_reordered_in_the_places_it_holds(catalog, sales_rep):
    # given six products (the page showed the last three)
    quote = draft_quote(sales_rep, lines=seat_lines(6))
    pks = list(quote.lines.order_by("position").values_list("pk", flat=True))

    # when the last three are reversed
    services.reorder_lines(quote=quote, by=sales_rep, order=[pks[5], pks[4], pks[3]])

    # then the first three keep their places
    assert list(quote.lines.order_by("position").values_list("pk", flat=True)) == [
        *pks[:3], pks[5], pks[4], pks[3]]


@pytest.mark.parametrize("order, message", [
    ("none", "Drag at least one line."),
    ("dup", "Line {0} is given twice."),
    ("option", "An option moves with its product (line {0})."),
    ("unknown", "Line {0} is not on this quote."),
])
def test_a_bad_order_is_refused_and_changes_nothing(quote, sales_rep, other_rep, order,
                                                    message):
    heads = _heads(quote)
    other = draft_quote(other_rep, lines=[("SEAT-USER", 1, "0")]).lines.get()
    option = quote.lines.get(product__sku="PLAT-PRO")
    given, named = {
        "none": ([], None),
        "dup": ([heads["PLATFORM"], heads["PLATFORM"]], heads["PLATFORM"]),
        "option": ([option.pk, heads["PLATFORM"]], option.pk),
        "unknown": ([other.pk, heads["PLATFORM"]], other.pk),
    }[order]
    before = skus(quote)

    with pytest.raises(ValidationError) as error:
        services.reorder_lines(quote=quote, by=sales_rep, order=given)

    assert error.value.message_dict == {"order": [message.format(named)]}
    assert skus(quote) == before


def test_another_rep_and_an_accountant_cannot_reorder(quote, other_rep, accountant):
    order = list(_heads(quote).values())

    with pytest.raises(PermissionDenied):
        services.reorder_lines(quote=quote, by=other_rep, order=order)
    with pytest.raises(PermissionDenied):
        services.reorder_lines(quote=quote, by=accountant, order=order)


def test_the_drop_posts_the_order_and_gets_the_table_back(client, quote, sales_rep):
    heads = _heads(quote)
    client.force_login(sales_rep)

    body = client.post(reverse("quotes:lines_reorder", args=[quote.pk]), {
        "order": [heads["ONBOARDING"], heads["SEAT-USER"], heads["PLATFORM"]], "page": "1"},
        **HTMX).content.decode()

    assert body.index(f'id="line-{heads["ONBOARDING"]}"') < body.index(
        f'id="line-{heads["PLATFORM"]}"')
    assert skus(quote)[:2] == ["ONBOARDING", "SEAT-USER"]
    assert f'data-drag="{heads["PLATFORM"]}"' in body


def test_a_bad_drop_says_why_and_keeps_the_order(client, quote, sales_rep):
    client.force_login(sales_rep)
    before = skus(quote)

    body = client.post(reverse("quotes:lines_reorder", args=[quote.pk]),
                       {"order": ["abc"], "page": "1"}, **HTMX).content.decode()

    assert "The new order names lines by number." in body
    assert skus(quote) == before


@pytest.mark.parametrize("who, status", [("other_rep", 404), ("accountant", 403)])
def test_the_wrong_people_cannot_post_an_order(client, quote, request, who, status):
    client.force_login(request.getfixturevalue(who))
    before = skus(quote)

    response = client.post(reverse("quotes:lines_reorder", args=[quote.pk]),
                           {"order": list(_heads(quote).values())}, **HTMX)

    assert response.status_code == status
    assert skus(quote) == before
