from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog import pricing
from catalog.models import (
    BillingPeriod,
    PriceModel,
    ProductKind,
    RevenueRule,
    RuleKind,
)
from catalog.models import ConfigurationRule as Rule
from catalog.pricing import LineInput, PriceSpec, price_line
from tests.catalog.factories import (
    OptionGroupFactory,
    PriceBookEntryFactory,
    PriceBookFactory,
    ProductFactory,
    ProductOptionFactory,
    TaxRateFactory,
    tiered_entry,
)

pytestmark = pytest.mark.django_db


def test_the_stored_choices_are_the_engines_own_names():
    assert {c for c, _ in PriceModel.choices} == {str(m) for m in pricing.PriceModel}
    assert {c for c, _ in BillingPeriod.choices} == {str(p) for p in pricing.BillingPeriod}
    from catalog.configuration import RuleKind as PureRuleKind

    assert {c for c, _ in RuleKind.choices} == {str(k) for k in PureRuleKind}


def test_an_entry_snapshot_is_plain_data_that_prices_like_the_entry():
    entry = tiered_entry(product=ProductFactory(sku="API-CALLS"),
                         price_book=PriceBookFactory(name="Standard USD", currency="USD"))
    snapshot = entry.snapshot()
    assert snapshot == {
        "version": 1, "model": "graduated", "currency": "USD", "billing_period": "monthly",
        "unit_amount": "0",
        "tiers": [
            {"up_to": "1000", "unit_amount": "0.01", "flat_amount": "0"},
            {"up_to": None, "unit_amount": "0.0045", "flat_amount": "2"},
        ],
        "package_size": None, "minimum_amount": "0", "percent": "0", "percent_basis": [],
        "source": {"price_book_id": entry.price_book_id, "price_book": "Standard USD",
                   "entry_id": entry.pk, "product_id": entry.product_id, "sku": "API-CALLS",
                   "prices_include_tax": False},
    }


def test_a_stored_snapshot_never_reprices_when_the_catalog_changes():
    # given a quote line that stored the snapshot of a per-seat price
    entry = PriceBookEntryFactory(unit_amount=D("25.00"))
    stored = entry.snapshot()
    # when the catalog admin raises the price
    entry.unit_amount = D("30.00")
    entry.save()
    # then the stored line still prices at the old rate
    line = LineInput(PriceSpec.from_dict(stored), D(10), term_months=12)
    assert price_line(line).net_amount == D("3000.00")
    assert entry.snapshot()["unit_amount"] == "30"


def test_an_entry_waiting_for_its_tiers_cannot_be_snapshotted():
    entry = PriceBookEntryFactory(price_model=PriceModel.VOLUME)
    with pytest.raises(ValueError, match="at least one tier"):
        entry.snapshot()
    assert entry.price_data()["tiers"] == []


@pytest.mark.parametrize("changes, field, message", [
    ({"price_model": PriceModel.PACKAGE, "package_size": D(0)}, "package_size", "above zero"),
    ({"price_model": PriceModel.PACKAGE}, "package_size", "above zero"),
    ({"package_size": D(10)}, "package_size", "Only package prices"),
    ({"price_model": PriceModel.PERCENT}, "percent", "needs its percent"),
    ({"percent": D(20)}, "percent", "Only percentage prices"),
    ({"percent_of_kind": ProductKind.SUBSCRIPTION}, "percent_of_kind", "follow other lines"),
])
def test_entry_mistakes_are_reported_at_their_field(changes, field, message):
    entry = PriceBookEntryFactory.build(price_book=PriceBookFactory(),
                                        product=ProductFactory(), **changes)
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert any(message in m for m in caught.value.message_dict[field])


def test_a_physical_good_is_sold_once_not_monthly():
    entry = PriceBookEntryFactory.build(price_book=PriceBookFactory(),
                                        product=ProductFactory(kind=ProductKind.PHYSICAL))
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert caught.value.message_dict["billing_period"] == ["A physical good is one-time."]


def test_the_database_refuses_a_package_of_zero_units():
    entry = PriceBookEntryFactory(price_model=PriceModel.PACKAGE, package_size=D(10))
    entry.package_size = D(0)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_two_standard_books_in_one_currency_cannot_overlap():
    PriceBookFactory(currency="EUR", effective_from=date(2026, 1, 1))
    PriceBookFactory(currency="USD", effective_from=date(2026, 1, 1))  # noise
    clash = PriceBookFactory.build(name="EUR 2026 H2", currency="EUR",
                                   effective_from=date(2026, 7, 1))
    with pytest.raises(ValidationError) as caught:
        clash.full_clean()
    assert "covers these dates" in caught.value.message_dict["effective_from"][0]
    clash.is_standard = False
    clash.full_clean()


def test_tax_rates_for_one_place_and_category_cannot_overlap():
    TaxRateFactory(effective_from=date(2011, 1, 1), effective_to=date(2025, 12, 31))
    TaxRateFactory.build(effective_from=date(2026, 1, 1)).full_clean()
    overlapping = TaxRateFactory.build(effective_from=date(2025, 6, 1))
    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()
    assert "covers these dates" in caught.value.message_dict["effective_from"][0]


def test_usage_is_not_recognized_at_a_point_in_time():
    usage = ProductFactory.build(kind=ProductKind.USAGE, revenue_rule=RevenueRule.POINT_IN_TIME)
    with pytest.raises(ValidationError) as caught:
        usage.full_clean()
    assert "revenue_rule" in caught.value.message_dict


def test_a_product_cannot_be_its_own_option_or_twice_an_option():
    group = OptionGroupFactory()
    own = ProductOptionFactory.build(group=group, product=group.product)
    with pytest.raises(ValidationError, match="option of itself"):
        own.full_clean()
    addon = ProductFactory()
    ProductOptionFactory(group=group, product=addon)
    second_group = OptionGroupFactory(product=group.product)
    with pytest.raises(ValidationError, match="another group"):
        ProductOptionFactory.build(group=second_group, product=addon).full_clean()


def test_an_options_most_is_not_below_its_least_and_the_checker_reads_both():
    from catalog.selectors import configuration_of

    group = OptionGroupFactory()
    backwards = ProductOptionFactory.build(group=group, product=ProductFactory(),
                                           quantity_editable=True, min_quantity=D(10),
                                           max_quantity=D(5))
    with pytest.raises(ValidationError) as caught:
        backwards.full_clean()
    assert caught.value.message_dict == {"max_quantity": ["The most cannot be less than the "
                                                          "least."]}
    with transaction.atomic(), pytest.raises(IntegrityError):
        backwards.save()

    ProductOptionFactory(group=group, product=ProductFactory(), quantity_editable=True,
                         min_quantity=D(5), max_quantity=D(50))
    [option] = configuration_of(group.product).groups[0].options
    assert (option.min_quantity, option.max_quantity) == (D(5), D(50))


def test_requires_and_excludes_rules_need_a_target():
    product, option = ProductFactory(), ProductFactory()
    with pytest.raises(ValidationError) as caught:
        Rule(product=product, subject=option, kind=RuleKind.REQUIRES).full_clean()
    assert "target" in caught.value.message_dict
    Rule(product=product, subject=option, kind=RuleKind.QUANTITY_FOLLOWS_PARENT).full_clean()


def test_product_tags_feed_percentage_prices():
    product = ProductFactory(sku="SEAT", family="Platform", kind=ProductKind.SUBSCRIPTION)
    assert product.tags == {"kind:subscription", "family:Platform", "sku:SEAT"}
