"""The catalog's questions: which book, which price, which taxes, which options. No writes."""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from catalog import configuration, tax
from catalog.models import (
    ComponentPricing,
    PriceBook,
    PriceBookEntry,
    PriceTier,
    Product,
    ProductOption,
    TaxCategory,
    TaxRate,
)
from core.dates import business_date


def active_products() -> QuerySet[Product]:
    return Product.objects.filter(active=True).select_related("tax_category")


def products_visible_to(user) -> QuerySet[Product]:
    """Everyone who may view products sees the active ones; catalog admins see all."""
    if not user.has_perm("catalog.view_product"):
        return Product.objects.none()
    if user.has_perm("catalog.change_product"):
        return Product.objects.select_related("tax_category")
    return active_products()


def price_books_on(*, currency: str | None = None, on: date | None = None) -> QuerySet[PriceBook]:
    """Active books in force on a date (today by default)."""
    on = business_date(on)
    books = PriceBook.objects.filter(active=True, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    return books.filter(currency=currency.upper()) if currency else books


def standard_price_book(*, currency: str, on: date | None = None) -> PriceBook | None:
    """The standard book quotes in `currency` start from on a date, or None."""
    return price_books_on(currency=currency, on=on).filter(is_standard=True).first()


def _entries() -> QuerySet[PriceBookEntry]:
    tiers = Prefetch("tiers", queryset=PriceTier.objects.order_by("from_quantity"))
    return PriceBookEntry.objects.select_related("price_book", "product").prefetch_related(tiers)


def entries_of(price_book: PriceBook) -> QuerySet[PriceBookEntry]:
    return _entries().filter(price_book=price_book).order_by("product__sku", "billing_period")


def price_entry_for(*, product: Product, price_book: PriceBook,
                    billing_period: str | None = None) -> PriceBookEntry | None:
    """The product's active entry in the book (the given period, else its only or first one)."""
    entries = _entries().filter(price_book=price_book, product=product, active=True)
    if billing_period:
        entries = entries.filter(billing_period=billing_period)
    return entries.order_by("billing_period").first()


def price_snapshot(*, product: Product, currency: str, billing_period: str | None = None,
                   on: date | None = None) -> dict | None:
    """The frozen price a new quote line stores, from the standard book on a date."""
    book = standard_price_book(currency=currency, on=on)
    entry = book and price_entry_for(product=product, price_book=book,
                                     billing_period=billing_period)
    return entry.snapshot() if entry else None


def tax_rate_records(*, country: str) -> list[tax.TaxRateRecord]:
    rates = TaxRate.objects.filter(country=country.upper()).select_related("category")
    return [rate.to_record() for rate in rates]


def tax_category_rules() -> dict[str, tuple[tax.Supply, tax.Exemption | None]]:
    """Each tax category's kind of supply and exemption, by code (one query)."""
    return {c.code: (tax.Supply(c.supply), c.exemption) for c in TaxCategory.objects.all()}


def tax_rates_for_account(*, account, products: Iterable[Product],
                          on: date | None = None) -> dict[int, tuple[tax.TaxRate, ...]]:
    """Each product's taxes for a customer account (by product pk); none if it is exempt."""
    products = list(products)
    if account.tax_exempt:
        return {product.pk: () for product in products}
    records = tax_rate_records(country=account.country)
    on = business_date(on)
    return {
        product.pk: tax.applicable_rates(
            records, country=account.country, region=account.region, on=on,
            category=product.tax_category.code if product.tax_category_id else None)
        for product in products
    }


def configuration_of(product: Product) -> configuration.ProductConfiguration:
    """A plain snapshot of the product's option groups and rules for the pure checker."""
    options = Prefetch("options", queryset=ProductOption.objects.select_related("product"))
    groups = product.option_groups.prefetch_related(options)
    rules = product.configuration_rules.select_related("subject", "target")
    return configuration.ProductConfiguration(
        sku=product.sku, name=product.name,
        groups=tuple(
            configuration.GroupSpec(
                name=group.name, min_selections=group.min_selections,
                max_selections=group.max_selections, required=group.required,
                options=tuple(
                    configuration.OptionSpec(
                        sku=o.product.sku, name=o.product.name, quantity=o.quantity,
                        quantity_editable=o.quantity_editable,
                        min_quantity=o.min_quantity, max_quantity=o.max_quantity,
                        default_selected=o.default_selected,
                        included=o.pricing == ComponentPricing.INCLUDED,
                        active=o.product.active)
                    for o in group.options.all()))
            for group in groups),
        rules=tuple(
            configuration.RuleSpec(
                kind=configuration.RuleKind(rule.kind), subject_sku=rule.subject.sku,
                subject_name=rule.subject.name,
                target_sku=rule.target.sku if rule.target_id else "",
                target_name=rule.target.name if rule.target_id else "", message=rule.message)
            for rule in rules),
    )


def configuration_errors(*, product: Product, selections: Mapping[str, Decimal],
                         quantity: Decimal = Decimal(1)) -> list[str]:
    """Every broken rule of a product configured with these options (SKU → quantity)."""
    errors = [] if product.active else [f"{product.name} is no longer sold."]
    return errors + configuration.configuration_errors(configuration_of(product), selections,
                                                       quantity)


def bundle_components_of(product: Product):
    return product.components.select_related("component").order_by("sort_order", "pk")


def price_snapshots(entry_ids: Iterable[int]) -> dict[int, dict]:
    """Entries' price data by pk, to compare before and after an edit (price history)."""
    return {entry.pk: entry.price_data() for entry in _entries().filter(pk__in=list(entry_ids))}


def price_snapshots_of_book(price_book: PriceBook) -> dict[int, dict]:
    return {entry.pk: entry.price_data() for entry in entries_of(price_book)}
