"""Catalog factories: every price book names its currency; entries follow their book's."""

from datetime import date
from decimal import Decimal

import factory

from catalog.models import (
    BillingPeriod,
    OptionGroup,
    PriceBook,
    PriceBookEntry,
    PriceModel,
    PriceTier,
    Product,
    ProductKind,
    ProductOption,
    RevenueRule,
    TaxCategory,
    TaxRate,
)


class TaxCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxCategory
        django_get_or_create = ("code",)

    code = "standard"
    name = factory.LazyAttribute(lambda c: c.code.replace("-", " ").title())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    family = "Platform"
    kind = ProductKind.SUBSCRIPTION
    unit_of_measure = "seat"
    revenue_rule = RevenueRule.RATABLE


class PriceBookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceBook

    name = factory.LazyAttributeSequence(lambda b, n: f"Standard {b.currency} {n}")
    currency = "USD"
    effective_from = date(2026, 1, 1)


class PriceBookEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceBookEntry

    price_book = factory.SubFactory(PriceBookFactory)
    product = factory.SubFactory(ProductFactory)
    billing_period = BillingPeriod.MONTHLY
    price_model = PriceModel.PER_UNIT
    unit_amount = Decimal("25.00")


class PriceTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceTier

    entry = factory.SubFactory(PriceBookEntryFactory, price_model=PriceModel.GRADUATED)
    from_quantity = Decimal(1)
    up_to = None
    unit_amount = Decimal("1.00")


def tiered_entry(model=PriceModel.GRADUATED, tiers=((1, 1000, "0.010", "0"),
                                                    (1001, None, "0.0045", "2")), **kwargs):
    entry = PriceBookEntryFactory(price_model=model, unit_amount=Decimal(0), **kwargs)
    for start, end, unit, flat in tiers:
        PriceTierFactory(entry=entry, from_quantity=Decimal(start),
                         up_to=None if end is None else Decimal(end),
                         unit_amount=Decimal(unit), flat_amount=Decimal(flat))
    return entry


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate

    name = "VAT"
    country = "GB"
    percent = Decimal(20)
    effective_from = date(2011, 1, 1)


class OptionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionGroup

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class ProductOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductOption

    group = factory.SubFactory(OptionGroupFactory)
    product = factory.SubFactory(ProductFactory)


def account(*, owner, country="US", region="", tax_exempt=False, currency="USD"):
    """A customer account, made directly so catalog tests lean on nothing but customers' model."""
    from customers.models import Account, PaymentTerms

    terms, _ = PaymentTerms.objects.get_or_create(code="net-30", defaults={"name": "Net 30"})
    return Account.objects.create(name=f"{country} customer", country=country, region=region,
                                  tax_exempt=tax_exempt, currency=currency, owner=owner,
                                  payment_terms=terms)
