from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from catalog import selectors
from catalog.models import ComponentPricing, ConfigurationRule, RuleKind
from catalog.tax import TaxRate
from tests.catalog.factories import (
    OptionGroupFactory,
    PriceBookEntryFactory,
    PriceBookFactory,
    ProductFactory,
    ProductOptionFactory,
    TaxCategoryFactory,
    TaxRateFactory,
    account,
    tiered_entry,
)

pytestmark = pytest.mark.django_db


def test_the_standard_book_is_chosen_by_currency_and_date():
    usd_2025 = PriceBookFactory(currency="USD", effective_from=date(2025, 1, 1),
                                effective_to=date(2025, 12, 31))
    usd_2026 = PriceBookFactory(currency="USD", effective_from=date(2026, 1, 1))
    PriceBookFactory(currency="EUR", effective_from=date(2020, 1, 1))
    PriceBookFactory(currency="USD", effective_from=date(2020, 1, 1), is_standard=False)
    PriceBookFactory(currency="USD", effective_from=date(2027, 1, 1), active=False)
    assert selectors.standard_price_book(currency="usd", on=date(2025, 6, 1)) == usd_2025
    assert selectors.standard_price_book(currency="USD", on=date(2027, 6, 1)) == usd_2026
    assert selectors.standard_price_book(currency="USD", on=date(2024, 6, 1)) is None
    assert selectors.standard_price_book(currency="GBP", on=date(2026, 6, 1)) is None


def test_a_new_quote_line_takes_the_snapshot_of_the_standard_price():
    book = PriceBookFactory(currency="EUR", effective_from=date(2026, 1, 1))
    seat = ProductFactory(sku="SEAT")
    monthly = PriceBookEntryFactory(price_book=book, product=seat, unit_amount=D("20"))
    PriceBookEntryFactory(price_book=book, product=seat, billing_period="annual",
                          unit_amount=D("200"))
    PriceBookEntryFactory(product=seat, unit_amount=D("99"))  # another book: noise
    snapshot = selectors.price_snapshot(product=seat, currency="EUR", billing_period="monthly",
                                        on=date(2026, 3, 1))
    assert snapshot["unit_amount"] == "20" and snapshot["source"]["entry_id"] == monthly.pk
    annual = selectors.price_snapshot(product=seat, currency="EUR", billing_period="annual",
                                      on=date(2026, 3, 1))
    assert annual["unit_amount"] == "200"
    assert selectors.price_snapshot(product=seat, currency="JPY", on=date(2026, 3, 1)) is None


def test_snapshotting_a_whole_book_takes_a_fixed_number_of_queries(django_assert_num_queries):
    book = PriceBookFactory()
    for _ in range(20):
        tiered_entry(price_book=book)
        PriceBookEntryFactory(price_book=book)
    with django_assert_num_queries(2):
        snapshots = [entry.snapshot() for entry in selectors.entries_of(book)]
    assert len(snapshots) == 40


def test_an_accounts_taxes_follow_its_place_category_and_exemption(sales_rep):
    books = TaxCategoryFactory(code="books")
    TaxRateFactory(name="VAT", country="GB", percent=D(20))
    TaxRateFactory(name="VAT", country="GB", percent=D(0), category=books)
    TaxRateFactory(name="GST", country="CA", percent=D(5), sequence=1)
    TaxRateFactory(name="PST", country="CA", region="BC", percent=D(7), sequence=2)
    ebook, saas = ProductFactory(tax_category=books), ProductFactory()
    uk, bc = account(owner=sales_rep, country="GB"), account(owner=sales_rep, country="CA",
                                                            region="BC")
    exempt = account(owner=sales_rep, country="GB", tax_exempt=True)
    on = date(2026, 1, 1)
    assert selectors.tax_rates_for_account(account=uk, products=[ebook, saas], on=on) == {
        ebook.pk: (TaxRate("VAT", D(0)),), saas.pk: (TaxRate("VAT", D(20)),)}
    assert selectors.tax_rates_for_account(account=bc, products=[saas], on=on) == {
        saas.pk: (TaxRate("GST", D(5)), TaxRate("PST", D(7)))}
    assert selectors.tax_rates_for_account(account=exempt, products=[saas], on=on) == {
        saas.pk: ()}


def test_a_configuration_is_checked_against_the_products_groups_and_rules():
    platform = ProductFactory(name="Platform", sku="PLAT")
    edition = OptionGroupFactory(product=platform, name="Edition", required=True,
                                 max_selections=1)
    ent = ProductFactory(name="Enterprise", sku="ENT")
    ProductOptionFactory(group=edition, product=ent, pricing=ComponentPricing.INCLUDED)
    ProductOptionFactory(group=edition, product=ProductFactory(name="Standard", sku="STD"),
                         default_selected=True)
    addons = OptionGroupFactory(product=platform, name="Add-ons")
    sso = ProductFactory(name="SSO", sku="SSO")
    ProductOptionFactory(group=addons, product=sso)
    ConfigurationRule.objects.create(product=platform, subject=sso, kind=RuleKind.REQUIRES,
                                     target=ent)
    config = selectors.configuration_of(platform)
    assert [g.name for g in config.groups] == ["Edition", "Add-ons"]
    assert config.option("ENT").included
    assert selectors.configuration_errors(product=platform, selections={"SSO": D(1)}) == [
        'Choose at least 1 in "Edition".', "SSO requires Enterprise."]
    assert selectors.configuration_errors(product=platform,
                                          selections={"SSO": D(1), "ENT": D(1)}) == []
    platform.active = False
    assert selectors.configuration_errors(product=platform, selections={"STD": D(1)}) == [
        "Platform is no longer sold."]


def test_sales_reps_see_active_products_and_catalog_admins_all(sales_rep, catalog_admin):
    live, retired = ProductFactory(), ProductFactory(active=False)
    assert list(selectors.products_visible_to(sales_rep)) == [live]
    assert set(selectors.products_visible_to(catalog_admin)) == {live, retired}
    stranger = get_user_model().objects.create_user("stranger")
    assert list(selectors.products_visible_to(stranger)) == []
