"""The catalog admin is all a catalog admin needs: products, prices with tiers, history, files."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib import admin
from django.urls import reverse

from catalog import pricing
from catalog.models import PriceBook, PriceBookEntry, PriceChange, Product
from tests.catalog.factories import PriceBookFactory, ProductFactory, tiered_entry

pytestmark = pytest.mark.django_db


def form_data(client, url, **fields):
    """What the admin's form posts: the form's initial values (as a browser sends the fields it
    shows), empty inline formsets, plus the given fields."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields
            if form[name].value() is not None and form[name].value() is not False}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(fields)
    return data


def with_rows(data, prefix, rows):
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_a_catalog_admin_adds_a_product_with_its_ssp_and_options(client, catalog_admin):
    client.force_login(catalog_admin)
    url = reverse("admin:catalog_product_add")
    data = form_data(client, url, sku="PLAT-PRO", name="Platform Pro", kind="subscription",
                     unit_of_measure="seat", revenue_rule="ratable", active="on",
                     unit_cost_0="", unit_cost_1="USD")
    with_rows(data, "ssps", [{"amount_0": "40.00", "amount_1": "USD", "basis": "per_month"}])
    with_rows(data, "option_groups", [{"name": "Add-ons", "min_selections": "0",
                                       "sort_order": "0"}])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get(sku="PLAT-PRO")
    assert (product.ssps.get().amount.amount, product.ssps.get().basis) == (D("40.00"),
                                                                             "per_month")
    assert product.option_groups.get().name == "Add-ons"


def test_a_catalog_admin_prices_a_product_with_tiers_and_history_records_it(client,
                                                                            catalog_admin):
    client.force_login(catalog_admin)
    book, api = PriceBookFactory(currency="USD"), ProductFactory(sku="API", kind="usage",
                                                                 revenue_rule="as_billed")
    url = reverse("admin:catalog_pricebookentry_add")
    data = form_data(client, url, price_book=book.pk, product=api.pk, billing_period="monthly",
                     price_model="graduated", active="on", unit_amount="0",
                     minimum_amount="0")
    with_rows(data, "tiers", [
        {"from_quantity": "1", "up_to": "1000", "unit_amount": "0.01", "flat_amount": "0"},
        {"from_quantity": "1001", "up_to": "", "unit_amount": "0.0045", "flat_amount": "2"},
    ])
    response = client.post(url, data)
    assert response.status_code == 302
    entry = PriceBookEntry.objects.get(product=api)
    assert [t["up_to"] for t in entry.snapshot()["tiers"]] == ["1000", None]
    change = PriceChange.objects.get(entry=entry)
    assert (change.action, change.changed_by, change.source) == ("created", catalog_admin,
                                                                 "admin")
    # the history is shown on the entry and in the price history list
    page = client.get(reverse("admin:catalog_pricebookentry_change", args=[entry.pk]))
    assert "price history" in page.content.decode().lower()
    listing = client.get(reverse("admin:catalog_pricechange_changelist"))
    assert change.label in listing.content.decode()


def test_a_catalog_admin_sets_allowance_blocks_minimum_and_cap_without_code(client,
                                                                            catalog_admin):
    # given a usage product and a book
    client.force_login(catalog_admin)
    book, api = PriceBookFactory(currency="USD"), ProductFactory(sku="EVENTS", kind="usage",
                                                                 revenue_rule="as_billed")
    url = reverse("admin:catalog_pricebookentry_add")
    # when the admin writes 50,000 free events, blocks of 100,000 at 10 after the first
    # million at 0.00002, at least 20 and at most 2,000 a month, charged even when unused
    data = form_data(client, url, price_book=book.pk, product=api.pk, billing_period="monthly",
                     price_model="graduated", active="on", unit_amount="0",
                     included_units="50000", minimum_amount="20", maximum_amount="2000",
                     charge_at_zero="on")
    with_rows(data, "tiers", [
        {"from_quantity": "1", "up_to": "1000000", "unit_amount": "0.00002",
         "flat_amount": "0"},
        {"from_quantity": "1000001", "up_to": "", "unit_amount": "10", "flat_amount": "0",
         "block_size": "100000"},
    ])
    assert client.post(url, data).status_code == 302
    # then the snapshot quotes store carries every option, and it prices as written
    snapshot = PriceBookEntry.objects.get(product=api).snapshot()
    assert (snapshot["included_units"], snapshot["minimum_amount"], snapshot["maximum_amount"],
            snapshot["charge_at_zero"]) == ("50000", "20", "2000", True)
    assert snapshot["tiers"][1]["block_size"] == "100000"
    spec = pricing.PriceSpec.from_dict(snapshot)
    # 1,200,001 billable: the first million at 0.00002, then 200,001 start 3 blocks
    assert pricing.price_quantity(spec, D(1_250_001)) == D(20) + D(30)
    assert pricing.price_breakdown(spec, D(0)).shortfall == D(20)


def test_a_books_rounding_policy_is_kept_and_a_cash_step_must_fit_the_currency(client,
                                                                               catalog_admin):
    client.force_login(catalog_admin)
    url = reverse("admin:catalog_pricebook_add")
    fields = {"name": "Swiss", "currency": "CHF", "effective_from": "2026-01-01",
              "active": "on", "rounding_mode": "half_even", "tax_rounding": "per_document"}
    refused = client.post(url, form_data(client, url, **fields, cash_rounding_step="0.001"))
    assert refused.context["adminform"].form.errors["cash_rounding_step"] == [
        "The cash-rounding step must be a whole number of CHF's minor unit."]
    assert client.post(url, form_data(client, url, **fields,
                                      cash_rounding_step="0.05")).status_code == 302
    book = PriceBook.objects.get(name="Swiss")
    assert book.rounding_policy().to_dict() == {"mode": "half_even", "tax": "per_document",
                                                "cash_step": "0.05"}
    listing = client.get(reverse("admin:catalog_pricebook_changelist")).content.decode()
    assert "Half even (to the even digit)" in listing and "Per document" in listing


def test_overlapping_tiers_are_refused_at_the_tier_field(client, catalog_admin):
    client.force_login(catalog_admin)
    book, api = PriceBookFactory(), ProductFactory(kind="usage", revenue_rule="as_billed")
    url = reverse("admin:catalog_pricebookentry_add")
    data = form_data(client, url, price_book=book.pk, product=api.pk, billing_period="monthly",
                     price_model="volume", unit_amount="0", minimum_amount="0")
    with_rows(data, "tiers", [
        {"from_quantity": "1", "up_to": "1000", "unit_amount": "0.01", "flat_amount": "0"},
        {"from_quantity": "500", "up_to": "", "unit_amount": "0.005", "flat_amount": "0"},
    ])
    response = client.post(url, data)
    assert response.status_code == 200
    tier_formset = response.context["inline_admin_formsets"][0].formset
    assert tier_formset.forms[1].errors["from_quantity"] == [
        "This tier overlaps the previous one, which ends at 1000."]
    assert not PriceBookEntry.objects.exists()


def test_tiers_not_starting_at_zero_or_one_and_a_zero_package_are_refused(client,
                                                                          catalog_admin):
    client.force_login(catalog_admin)
    book, api = PriceBookFactory(), ProductFactory(kind="usage", revenue_rule="as_billed")
    url = reverse("admin:catalog_pricebookentry_add")
    data = form_data(client, url, price_book=book.pk, product=api.pk, billing_period="monthly",
                     price_model="graduated", unit_amount="0", minimum_amount="0")
    with_rows(data, "tiers", [{"from_quantity": "10", "up_to": "", "unit_amount": "1",
                               "flat_amount": "0"}])
    response = client.post(url, data)
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["from_quantity"] == ["The first tier must start at 0 or 1."]

    package = form_data(client, url, price_book=book.pk, product=api.pk,
                        billing_period="monthly", price_model="package", unit_amount="8",
                        package_size="0", minimum_amount="0")
    response = client.post(url, package)
    assert response.context["adminform"].form.errors["package_size"] == [
        "A package price needs a package size above zero."]


def test_changing_a_price_in_its_book_records_before_and_after(client, catalog_admin):
    client.force_login(catalog_admin)
    entry = tiered_entry()
    book = entry.price_book
    url = reverse("admin:catalog_pricebook_change", args=[book.pk])
    response = client.get(url)
    data = {"name": book.name, "currency": book.currency, "effective_from": "2026-01-01",
            "is_standard": "on", "active": "on", "rounding_mode": "half_up",
            "inclusive_rounding": "tax_first"}  # each select sends its chosen option
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-TOTAL_FORMS": "1",
                     f"{formset.prefix}-INITIAL_FORMS": "1",
                     f"{formset.prefix}-0-id": entry.pk, f"{formset.prefix}-0-price_book": book.pk,
                     f"{formset.prefix}-0-product": entry.product_id,
                     f"{formset.prefix}-0-billing_period": "monthly",
                     f"{formset.prefix}-0-price_model": "graduated",
                     f"{formset.prefix}-0-unit_amount": "0",
                     f"{formset.prefix}-0-minimum_amount": "5", f"{formset.prefix}-0-active": "on"})
    assert client.post(url, data).status_code == 302
    change = PriceChange.objects.get(entry=entry)
    assert change.summary == "minimum_amount: 0 → 5"
    assert change.changed_by == catalog_admin


def test_the_import_page_lists_every_bad_line_and_imports_a_good_file(client, catalog_admin):
    client.force_login(catalog_admin)
    book = PriceBookFactory()
    ProductFactory(sku="SEAT")
    url = reverse("admin:catalog_pricebook_import", args=[book.pk])
    header = "sku,billing_period,price_model,unit_amount\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("p.csv", (header + "SEAT,monthly,per_unit,x\nNOPE,monthly,flat,1\n"
                                       ).encode())
    page = client.post(url, {"file": bad})
    assert page.status_code == 200
    assert page.context["errors"] == ['Line 2: unit_amount "x" is not a number.',
                                      'Line 3: unknown SKU "NOPE".']
    assert "Nothing was imported" in page.content.decode()
    good = SimpleUploadedFile("p.csv", (header + "SEAT,monthly,per_unit,12.5\n").encode())
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert book.entries.get().unit_amount == D("12.5")


def test_the_export_downloads_the_book(client, catalog_admin):
    client.force_login(catalog_admin)
    entry = tiered_entry()
    url = reverse("admin:catalog_pricebook_export", args=[entry.price_book_id, "csv"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("sku,billing_period,price_model")
    assert len(lines) == 3  # one row per tier


def test_a_sales_rep_cannot_use_the_catalog_admin(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(reverse("admin:catalog_product_add"), {"sku": "X", "name": "X"})
    # Sales reps are not staff: the admin sends them to its login page and changes nothing.
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not Product.objects.exists()


@pytest.mark.parametrize("url_name, args", [
    ("admin:catalog_product_add", []),
    ("admin:catalog_pricebook_import", ["BOOK"]),
    ("admin:catalog_taxrate_add", []),
])
def test_staff_without_catalog_rights_get_403(client, finance, url_name, args):
    client.force_login(finance)
    book = PriceBookFactory()
    url = reverse(url_name, args=[book.pk if a == "BOOK" else a for a in args])
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label
                                   == "catalog"], ids=lambda m: m._meta.model_name)
def test_every_catalog_admin_page_opens_for_a_catalog_admin(client, catalog_admin, model):
    client.force_login(catalog_admin)
    tiered_entry(product=ProductFactory(tax_category=None), price_book=PriceBookFactory(
        effective_from=date(2026, 1, 1)))
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200
