from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from catalog import selectors, services
from catalog.models import PriceBookEntry, PriceChange, PriceChangeAction, PriceModel
from tests.catalog.factories import (
    PriceBookEntryFactory,
    PriceBookFactory,
    ProductFactory,
    ProductKind,
    tiered_entry,
)

pytestmark = pytest.mark.django_db

HEADER = ("sku,billing_period,price_model,unit_amount,package_size,minimum_amount,percent,"
          "percent_of_kind,percent_of_family,active,tier_from,tier_up_to,tier_unit_amount,"
          "tier_flat_amount\n")


@pytest.fixture
def products():
    return {sku: ProductFactory(sku=sku, kind=kind) for sku, kind in [
        ("SEAT", ProductKind.SUBSCRIPTION), ("API", ProductKind.USAGE),
        ("SMS", ProductKind.USAGE), ("SUPPORT", ProductKind.SUBSCRIPTION),
        ("DEVICE", ProductKind.PHYSICAL),
    ]}


GOOD = HEADER + (
    "SEAT,monthly,per_unit,35.50,,,,,,yes,,,,\n"
    "API,monthly,graduated,,,,,,,,1,1000,0.010,\n"
    "API,monthly,graduated,,,,,,,,1001,,0.0045,2\n"
    "SMS,monthly,package,8,1000,20,,,,,,,,\n"
    "SUPPORT,annual,percent,,,1000,20,subscription,,,,,,\n"
    "DEVICE,one_time,flat,249,,,,,,,,,,\n"
)


def test_a_good_file_imports_every_price_with_its_tiers(products, catalog_admin):
    book = PriceBookFactory(currency="USD")
    result = services.import_price_book(price_book=book, data=GOOD.encode(),
                                        filename="prices.csv", by=catalog_admin)
    assert (result.created, result.updated) == (5, 0)
    api = PriceBookEntry.objects.get(price_book=book, product=products["API"])
    assert api.snapshot()["tiers"] == [
        {"up_to": "1000", "unit_amount": "0.01", "flat_amount": "0"},
        {"up_to": None, "unit_amount": "0.0045", "flat_amount": "2"}]
    support = PriceBookEntry.objects.get(price_book=book, product=products["SUPPORT"])
    assert support.snapshot()["percent_basis"] == ["kind:subscription"]
    history = PriceChange.objects.filter(price_book=book)
    assert history.count() == 5
    assert {c.action for c in history} == {PriceChangeAction.CREATED}
    assert {c.changed_by for c in history} == {catalog_admin}
    assert {c.source for c in history} == {"import prices.csv"}


def test_a_second_import_updates_and_records_only_what_changed(products, catalog_admin):
    book = PriceBookFactory()
    services.import_price_book(price_book=book, data=GOOD.encode(), filename="a.csv",
                               by=catalog_admin)
    changed = GOOD.replace("SEAT,monthly,per_unit,35.50", "SEAT,monthly,per_unit,39")
    result = services.import_price_book(price_book=book, data=changed.encode(),
                                        filename="b.csv", by=catalog_admin)
    assert (result.created, result.updated) == (0, 5)
    latest = PriceChange.objects.filter(source="import b.csv").get()
    assert latest.action == PriceChangeAction.CHANGED
    assert latest.summary == "unit_amount: 35.5 → 39"
    assert latest.before["unit_amount"] == "35.5" and latest.after["unit_amount"] == "39"


def test_a_bad_file_is_refused_whole_with_every_bad_line(products, catalog_admin):
    # given an existing price that a good row would change
    book = PriceBookFactory()
    PriceBookEntryFactory(price_book=book, product=products["SEAT"], unit_amount=D("30"))
    bad = HEADER + (
        "SEAT,monthly,per_unit,35.50,,,,,,yes,,,,\n"           # 2: fine on its own
        "NOPE,monthly,per_unit,1,,,,,,,,,,\n"                  # 3: unknown SKU
        "API,monthly,graduated,,,,,,,,1,1000,0.010,\n"         # 4
        "API,monthly,graduated,,,,,,,,900,,0.0045,\n"          # 5: overlaps line 4
        "SMS,monthly,package,8,0,,,,,,,,,\n"                   # 6: package size 0
        "SUPPORT,fortnightly,per_unit,1,,,,,,,,,,\n"           # 7: no such period
        "DEVICE,one_time,flat,12.3.4,,,,,,,,,,\n"              # 8: not a number
        "\n"
        "DEVICE,monthly,flat,1,,,,,,,,,,\n"                    # 10: a device is one-time
    )
    # when it is imported
    with pytest.raises(services.PriceImportRejected) as rejected:
        services.import_price_book(price_book=book, data=bad.encode(), filename="bad.csv",
                                   by=catalog_admin)
    # then every bad line is named and nothing changed
    assert rejected.value.errors == [
        'Line 3: unknown SKU "NOPE".',
        "Line 5: tier_from: This tier overlaps the previous one, which ends at 1000.",
        "Line 6: package_size: A package price needs a package size above zero.",
        'Line 7: billing_period "fortnightly" is not one of one_time, weekly, monthly, '
        'quarterly, semi_annual, annual, term.',
        'Line 8: unit_amount "12.3.4" is not a number.',
        "Line 10: billing_period: A physical good is one-time.",
    ]
    assert PriceBookEntry.objects.get(price_book=book).unit_amount == D("30")
    assert not PriceChange.objects.exists()


@pytest.mark.parametrize("data, filename, message", [
    (b"sku,price_model\nSEAT,flat\n", "p.csv", "Line 1: the header needs the columns sku, "
                                               "billing_period, price_model; missing "
                                               "billing_period."),
    (b"", "p.csv", "The file is empty: it needs a header row."),
    (HEADER.encode(), "p.csv", "The file has no price rows."),
    (b"\xff\xfe", "p.csv", "The file is not UTF-8 text; save it as CSV UTF-8."),
    (b"whatever", "p.txt", "Upload a .csv or .xlsx file."),
    (b"not a zip", "p.xlsx", "This is not a readable XLSX file."),
])
def test_a_file_that_cannot_be_read_is_refused(data, filename, message, catalog_admin):
    with pytest.raises(services.PriceImportRejected) as rejected:
        services.import_price_book(price_book=PriceBookFactory(), data=data, filename=filename,
                                   by=catalog_admin)
    assert rejected.value.errors == [message]


def test_a_tiered_price_needs_a_row_per_tier_and_a_plain_price_only_one(products, catalog_admin):
    bad = HEADER + ("API,monthly,volume,,,,,,,,,,,\n"
                    "SEAT,monthly,per_unit,1,,,,,,,,,,\n"
                    "SEAT,monthly,per_unit,2,,,,,,,,,,\n")
    with pytest.raises(services.PriceImportRejected) as rejected:
        services.import_price_book(price_book=PriceBookFactory(), data=bad.encode(),
                                   filename="p.csv", by=catalog_admin)
    assert rejected.value.errors == [
        "Line 2: tier_from is empty: tiered prices need one row per tier.",
        "Line 4: SEAT monthly appears twice (only tiered prices take one row per tier).",
    ]


def test_only_catalog_admins_import(products, sales_rep, finance):
    for user in (sales_rep, finance):
        with pytest.raises(PermissionDenied):
            services.import_price_book(price_book=PriceBookFactory(), data=GOOD.encode(),
                                       filename="p.csv", by=user)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_to_the_same_prices(fmt, products, catalog_admin):
    source = PriceBookFactory(currency="USD")
    services.import_price_book(price_book=source, data=GOOD.encode(), filename="p.csv",
                               by=catalog_admin)
    exported = services.export_price_book(price_book=source, fmt=fmt, by=catalog_admin)
    copy = PriceBookFactory(currency="USD", is_standard=False)
    services.import_price_book(price_book=copy, data=exported, filename=f"copy.{fmt}",
                               by=catalog_admin)

    def prices(book):
        return {(e.product.sku, e.billing_period): {k: v for k, v in e.snapshot().items()
                                                    if k != "source"}
                for e in selectors.entries_of(book)}

    assert prices(copy) == prices(source)
    assert len(prices(copy)) == 5


NEW_COLUMNS = ("sku,billing_period,price_model,unit_amount,package_size,minimum_amount,percent,"
               "included_units,maximum_amount,minimum_packages,charge_at_zero,fixed_fee,"
               "free_transactions,transaction_minimum,transaction_maximum,tier_from,tier_up_to,"
               "tier_unit_amount,tier_block_size\n")


def test_the_new_price_options_import_and_an_older_file_leaves_them_alone(products,
                                                                          catalog_admin):
    # given a file with allowances, blocks, a cap, minimum packages and transaction fees
    book = PriceBookFactory(currency="USD")
    services.import_price_book(price_book=book, by=catalog_admin, filename="new.csv", data=(
        NEW_COLUMNS
        + "API,monthly,graduated,,,20,,1000,500,,yes,,,,,1,1000,0.01,\n"
        + "API,monthly,graduated,,,20,,1000,500,,yes,,,,,1001,,5,100\n"
        + "SMS,monthly,package,8,1000,,,,,2,,,,,,,,,\n"
        + "SEAT,monthly,transaction,,,,2.9,,,,,0.30,3,0.50,25,,,,\n").encode())
    api = PriceBookEntry.objects.get(price_book=book, product=products["API"])
    snapshot = api.snapshot()
    # then the entry keeps every option and the tier its block
    assert (snapshot["included_units"], snapshot["maximum_amount"],
            snapshot["charge_at_zero"]) == ("1000", "500", True)
    assert snapshot["tiers"][1]["block_size"] == "100"
    assert PriceBookEntry.objects.get(price_book=book, product=products["SMS"]
                                      ).minimum_packages == 2
    seat = PriceBookEntry.objects.get(price_book=book, product=products["SEAT"])
    assert seat.snapshot()["transaction"] == {"fixed_fee": "0.3", "free_transactions": 3,
                                              "minimum_fee": "0.5", "maximum_fee": "25"}
    # when a file in the old columns changes the unit amount of the SMS packages
    services.import_price_book(price_book=book, by=catalog_admin, filename="old.csv",
                               data=(HEADER + "SMS,monthly,package,9,1000,,,,,,,,,\n").encode())
    # then the minimum packages it does not mention stay
    sms = PriceBookEntry.objects.get(price_book=book, product=products["SMS"])
    assert (sms.unit_amount, sms.minimum_packages) == (D(9), 2)


def test_bad_new_option_values_are_named_by_line(products, catalog_admin):
    book = PriceBookFactory(currency="USD")
    with pytest.raises(services.PriceImportRejected) as rejected:
        services.import_price_book(price_book=book, by=catalog_admin, filename="bad.csv", data=(
            NEW_COLUMNS
            + "SEAT,monthly,per_unit,1,,,,,,2,maybe,,,,,,,,\n"
            + "SMS,monthly,package,8,1000,,,,,,,,1.5,,,,,,\n").encode())
    assert rejected.value.errors == [
        'Line 2: charge_at_zero "maybe" must be yes or no.',
        "Line 2: minimum_packages: Only package prices have a minimum of packages.",
        "Line 3: free_transactions must be a whole number, 0 or more.",
    ]


def test_an_edit_records_who_changed_which_price(catalog_admin):
    entry = tiered_entry(model=PriceModel.VOLUME)
    before = selectors.price_snapshots([entry.pk])
    tier = entry.tiers.get(from_quantity=1)
    tier.unit_amount = D("0.02")
    tier.save()
    changes = services.record_price_changes(before=before,
                                            after=selectors.price_snapshots([entry.pk]),
                                            by=catalog_admin)
    assert len(changes) == 1
    change = changes[0]
    assert (change.entry, change.product, change.changed_by_name) == (
        entry, entry.product, catalog_admin.get_full_name() or catalog_admin.username)
    assert change.summary.startswith("tiers: [{'up_to': '1000', 'unit_amount': '0.01'")
    unchanged = services.record_price_changes(
        before=selectors.price_snapshots([entry.pk]),
        after=selectors.price_snapshots([entry.pk]), by=catalog_admin)
    assert unchanged == []


def test_an_import_writes_its_entries_and_tiers_in_bulk(products, catalog_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def writes(book):
        with CaptureQueriesContext(connection) as captured:
            services.import_price_book(price_book=book, data=GOOD.encode(), filename="p.csv",
                                       by=catalog_admin)
        return sorted(q["sql"].split()[0].upper() + " " + table
                      for q in captured for table in ("pricebookentry", "pricetier")
                      if f'catalog_{table}"' in q["sql"].split("WHERE")[0]
                      and not q["sql"].lstrip().upper().startswith("SELECT"))

    book = PriceBookFactory(currency="USD")
    assert writes(book) == ["INSERT pricebookentry", "INSERT pricetier"]
    assert writes(book) == ["DELETE pricetier", "INSERT pricetier", "UPDATE pricebookentry"]
    api = PriceBookEntry.objects.get(price_book=book, product=products["API"])
    assert api.tiers.count() == 2
