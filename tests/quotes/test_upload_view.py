"""The builder's file upload: the preview a paste gets, worded per row; confirming adds through
the paste's path; a bad file, or one bad row, adds nothing; only who may change the quote
uploads."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quotes.sku_files import MAX_BYTES
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def quote(catalog, sales_rep):
    return draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0")])


def upload(client, quote, content: bytes, name="list.csv"):
    return client.post(reverse("quotes:lines_upload", args=[quote.pk]),
                       {"file": SimpleUploadedFile(name, content)}, **HTMX)


def test_a_good_file_is_previewed_and_confirming_adds_its_rows(client, quote, sales_rep):
    client.force_login(sales_rep)

    body = upload(client, quote, b"SKU,Quantity,Section\nSEAT-SSO,25,Add-ons\nONBOARDING,1,"
                                 b"Services\n").content.decode()

    assert "Add these 2 lines" in body and quote.lines.count() == 1
    text = html.unescape(body.split('name="text" value="')[1].split('"')[0])
    assert text == "# Add-ons\nSEAT-SSO\t25\n# Services\nONBOARDING\t1"
    client.post(reverse("quotes:lines_paste", args=[quote.pk]),
                {"text": text, "confirm": "1"}, **HTMX)
    assert list(quote.lines.order_by("position").values_list(
        "product__sku", "section")) == [("SEAT-USER", ""), ("SEAT-SSO", "Add-ons"),
                                        ("ONBOARDING", "Services")]


def test_a_file_with_one_bad_row_shows_every_problem_and_adds_nothing(client, quote,
                                                                     sales_rep):
    client.force_login(sales_rep)

    body = upload(client, quote, b"SEAT-SSO,25\nNOPE,3\nONBOARDING,-1\n").content.decode()

    assert "No product has the SKU NOPE." in body
    assert "The quantity must be greater than zero." in body
    assert "2 of 3 rows of list.csv cannot be added: correct them in the file" in body
    assert "Add these" not in body and 'name="confirm"' in body and 'value=""' in body
    assert quote.lines.count() == 1


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(client, quote, sales_rep):
    client.force_login(sales_rep)

    body = upload(client, quote, b"SEAT-SSO,1\n" * (MAX_BYTES // 11 + 1)).content.decode()

    assert "The file is larger than 2 MB." in body and quote.lines.count() == 1


def test_no_file_is_asked_for_in_words(client, quote, sales_rep):
    client.force_login(sales_rep)

    body = client.post(reverse("quotes:lines_upload", args=[quote.pk]), {},
                       **HTMX).content.decode()

    assert "Choose a .csv or .xlsx file to upload." in body


@pytest.mark.parametrize("who, status", [("other_rep", 404), ("accountant", 403)])
def test_the_wrong_people_cannot_upload(client, quote, request, who, status):
    client.force_login(request.getfixturevalue(who))

    response = upload(client, quote, b"SEAT-SSO,25\n")

    assert response.status_code == status and quote.lines.count() == 1
