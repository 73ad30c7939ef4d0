"""The demo catalog: a SaaS platform in three editions, per-seat add-ons, usage (API calls in
graduated tiers, storage in volume tiers, SMS in packages, webhook events with an allowance,
blocks, a monthly commitment and a cap, card payments at a percentage plus a fee each),
services, premium support at a percentage, a hardware device and a bundle, priced in USD, EUR,
GBP, JPY and CHF (rounded to 5 centimes in cash), with tax rates and three coupons: WELCOME10
(10% off the first invoice, every currency of the demo books) and ANNUAL5 (5% off forever),
which the demo history redeems by these codes, and PLATFORM-300.

`seed_catalog()` is idempotent: running it again changes nothing. `manage.py seed_catalog` runs
it on its own; the project's `seed_demo` is meant to call it.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Model, QuerySet
from djmoney.money import Money

from catalog import selectors, services
from catalog.models import (
    BundleComponent,
    ComponentPricing,
    ConfigurationRule,
    Coupon,
    OptionGroup,
    PriceBook,
    PriceBookEntry,
    PriceTier,
    Product,
    ProductOption,
    RuleKind,
    SSPBasis,
    StandaloneSellingPrice,
    TaxCategory,
    TaxRate,
)
from core.actors import Actor
from core.money import round_money

D = Decimal
BOOKS_FROM = date(2020, 1, 1)  # before any demo history
# Each currency's book is the USD price times a list rate, rounded as the currency rounds;
# usage rates keep their extra places.
BOOKS = {"USD": D("1"), "EUR": D("0.92"), "GBP": D("0.79"), "JPY": D("150"), "CHF": D("0.88")}
INCLUSIVE_BOOKS = {"JPY"}  # Japanese list prices include consumption tax
# Swiss invoices are paid to the 5 centimes; the euro book rounds its ties to the even cent,
# and taxes once per document.
BOOK_POLICIES = {"CHF": {"cash_rounding_step": D("0.05")},
                 "EUR": {"rounding_mode": "half_even", "tax_rounding": "per_document"}}

TAX_CATEGORIES = [  # code, name, kind of supply for the EU place-of-supply rules
    ("standard", "Standard rated", "services"), ("digital", "Digital services", "digital"),
    ("goods", "Physical goods", "goods"), ("training", "Training and education", "services"),
]
TAX_RATES = [  # name, country, region, category, percent, compound, sequence
    ("VAT", "GB", "", None, "20", False, 0),
    ("MwSt", "DE", "", None, "19", False, 0),
    ("MwSt", "DE", "", "training", "0", False, 0),
    ("TVA", "FR", "", None, "20", False, 0),
    ("BTW", "BE", "", None, "21", False, 0),
    ("Consumption tax", "JP", "", None, "10", False, 0),
    ("GST", "CA", "", None, "5", False, 1),
    ("PST", "CA", "BC", None, "7", False, 2),
    ("QST", "CA", "QC", None, "9.975", False, 2),
    ("Sales tax", "US", "NY", "goods", "4", False, 0),
    ("Sales tax", "US", "TX", None, "6.25", False, 0),
]

# sku, name, family, kind, unit, revenue rule, tax category, unit cost (USD), SSP (USD, on the
# basis SSP_BASIS gives)
PRODUCTS = [
    ("PLATFORM", "Q2C Cloud Platform", "Platform", "subscription", "subscription", "ratable",
     "digital", None, None),
    ("PLAT-STARTER", "Platform Starter edition", "Platform", "subscription", "month",
     "ratable", "digital", "40", "500"),
    ("PLAT-PRO", "Platform Professional edition", "Platform", "subscription", "month",
     "ratable", "digital", "90", "1500"),
    ("PLAT-ENT", "Platform Enterprise edition", "Platform", "subscription", "month",
     "ratable", "digital", "200", "4000"),
    ("SEAT-USER", "User seat", "Seats", "subscription", "seat", "ratable", "digital", "2",
     "30"),
    ("SEAT-SSO", "Single sign-on (per seat)", "Seats", "subscription", "seat", "ratable",
     "digital", "0.5", "4"),
    ("SEAT-ANALYTICS", "Advanced analytics (per seat)", "Seats", "subscription", "seat",
     "ratable", "digital", "1", "10"),
    ("API-CALLS", "API calls", "Usage", "usage", "call", "as_billed", "digital", "0.0002",
     "0.0008"),
    ("STORAGE-GB", "Storage", "Usage", "usage", "GB-month", "as_billed", "digital", "0.02",
     "0.20"),
    ("SMS-PACK", "SMS messages", "Usage", "usage", "message", "as_billed", "digital", "0.004",
     "0.008"),
    ("WEBHOOK-EVENTS", "Webhook events", "Usage", "usage", "event", "as_billed", "digital",
     "0.0001", "0.0005"),
    ("CARD-PAYMENTS", "Card payments processed", "Usage", "usage", "USD processed",
     "as_billed", "digital", None, None),
    ("ONBOARDING", "Onboarding package", "Services", "service", "project", "point_in_time",
     "standard", "2500", "5000"),
    ("TRAINING-DAY", "Training day (on site)", "Services", "service", "day", "point_in_time",
     "training", "600", "1500"),
    ("SUPPORT-PREMIUM", "Premium support", "Support", "subscription", "year", "ratable",
     "standard", None, "3000"),
    ("DEVICE-GW", "Edge gateway device", "Hardware", "physical", "unit", "point_in_time",
     "goods", "120", "249"),
    ("BUNDLE-GROWTH", "Growth bundle (Pro, 25 seats, onboarding)", "Bundles", "subscription",
     "bundle", "ratable", "digital", None, "24000"),
]

# What each SSP is quoted for: the editions and seats sell on their own by the month (their
# monthly list prices), premium support and the bundle by the year; services, goods and usage
# rates per unit, whatever the term. Revenue allocation scales them to each line's term.
SSP_BASIS = {
    "PLAT-STARTER": SSPBasis.PER_MONTH, "PLAT-PRO": SSPBasis.PER_MONTH,
    "PLAT-ENT": SSPBasis.PER_MONTH, "SEAT-USER": SSPBasis.PER_MONTH,
    "SEAT-SSO": SSPBasis.PER_MONTH, "SEAT-ANALYTICS": SSPBasis.PER_MONTH,
    "SUPPORT-PREMIUM": SSPBasis.PER_YEAR, "BUNDLE-GROWTH": SSPBasis.PER_YEAR,
    "API-CALLS": SSPBasis.ONE_TIME, "STORAGE-GB": SSPBasis.ONE_TIME,
    "SMS-PACK": SSPBasis.ONE_TIME, "WEBHOOK-EVENTS": SSPBasis.ONE_TIME,
    "ONBOARDING": SSPBasis.ONE_TIME,
    "TRAINING-DAY": SSPBasis.ONE_TIME, "DEVICE-GW": SSPBasis.ONE_TIME,
}

# sku, period, model, unit amount (USD), extra fields, tiers as (from, up to, unit, flat)
PRICES = [
    ("PLAT-STARTER", "monthly", "flat", "500", {}, []),
    ("PLAT-STARTER", "annual", "flat", "5400", {}, []),
    ("PLAT-PRO", "monthly", "flat", "1500", {}, []),
    ("PLAT-PRO", "annual", "flat", "16200", {}, []),
    ("PLAT-ENT", "monthly", "flat", "4000", {}, []),
    ("PLAT-ENT", "annual", "flat", "43200", {}, []),
    ("SEAT-USER", "monthly", "per_unit", "30", {}, []),
    ("SEAT-USER", "annual", "per_unit", "324", {}, []),
    ("SEAT-SSO", "monthly", "per_unit", "4", {}, []),
    ("SEAT-ANALYTICS", "monthly", "per_unit", "10", {}, []),
    ("API-CALLS", "monthly", "graduated", "0", {}, [
        ("1", "100000", "0.0010", "0"), ("100001", "1000000", "0.0008", "0"),
        ("1000001", None, "0.0005", "50")]),
    ("STORAGE-GB", "monthly", "volume", "0", {}, [
        ("0", "100", "0.25", "0"), ("100", "1000", "0.20", "0"), ("1000", None, "0.15", "0")]),
    # packages of 1,000 started; at least 3 packages in a month with any SMS sent
    ("SMS-PACK", "monthly", "package", "8",
     {"package_size": D(1000), "minimum_amount": "20", "minimum_packages": D(3)}, []),
    # 50,000 events a month included; then 10 per 100,000 started (blocks) up to a million,
    # then a 25 step-up fee and 0.05 per thousand started; at least 20 a month once used
    # (the shortfall is its own line), never more than 2,000
    ("WEBHOOK-EVENTS", "monthly", "graduated", "0",
     {"included_units": D(50000), "minimum_amount": "20", "maximum_amount": "2000"}, [
         ("1", "1000000", "10", "0", D(100000)), ("1000001", None, "0.05", "25", D(1000))]),
    # card processing as Stripe lists it: 2.9% of each payment plus 0.30, at most 25 a payment
    ("CARD-PAYMENTS", "monthly", "transaction", "0",
     {"percent": D("2.9"), "fixed_fee": "0.30", "transaction_maximum": "25"}, []),
    ("ONBOARDING", "one_time", "flat", "5000", {}, []),
    ("TRAINING-DAY", "one_time", "per_unit", "1500", {}, []),
    ("SUPPORT-PREMIUM", "annual", "percent", "0",
     {"percent": D(20), "percent_of_kind": "subscription", "minimum_amount": "1000"}, []),
    ("DEVICE-GW", "one_time", "per_unit", "249", {}, []),
    ("BUNDLE-GROWTH", "annual", "flat", "24000", {}, []),
]

# code, name, percent off, amount off (USD), duration, periods, products (empty: all), stackable
# (WELCOME10 and ANNUAL5 are redeemed by the demo history by these codes: keep them)
COUPONS = [
    ("WELCOME10", "10% off your first invoice", D(10), None, "once", None, [], True),
    ("ANNUAL5", "5% off for as long as you stay", D(5), None, "forever", None, [], True),
    ("PLATFORM-300", "300 USD off the platform for three months", None, D(300), "repeating", 3,
     ["PLAT-STARTER", "PLAT-PRO", "PLAT-ENT"], False),
]


def _converted(amount: str, currency: str, *, rate: bool = False) -> Decimal:
    value = D(amount) * BOOKS[currency]
    return value.normalize() if rate else round_money(value, currency)


@transaction.atomic
def seed_catalog() -> dict[str, int]:
    """Create or refresh the demo catalog; returns how many of each thing it holds."""
    categories = _upsert(TaxCategory.objects.all(), [
        ({"code": code}, {"name": name, "supply": supply})
        for code, name, supply in TAX_CATEGORIES])
    _seed_tax_rates(categories)
    products = _seed_products(categories)
    _seed_configuration(products)
    actor = Actor.task("seed_catalog")
    for currency in BOOKS:
        _seed_book(currency, products, actor)
    _seed_coupons(products)
    return {"products": len(products), "price_books": len(BOOKS),
            "tax_rates": TaxRate.objects.count()}


def _upsert(scope: QuerySet, rows: list[tuple[dict, dict]]) -> dict:
    """Each (key, values) row of `scope` created, or updated where a value differs, and all of
    them returned by their key's first value (or the whole key when it has several): what
    `update_or_create` does a row at a time, in three queries a model instead of four (two of
    them savepoints) a row. The demo catalog was 1,554 queries, and every test that quotes
    seeds it."""
    model = scope.model
    names = list(rows[0][0])
    attnames = [model._meta.get_field(name).attname for name in names]
    existing = {tuple(getattr(obj, attname) for attname in attnames): obj for obj in scope}
    created, changed, fields, by_key = [], [], set(), {}
    for key, values in rows:
        wanted = tuple(_plain(value) for value in key.values())
        obj = existing.get(wanted)
        if obj is None:
            obj = model(**key, **values)
            created.append(obj)
        elif differs := [name for name, value in values.items()
                         if getattr(obj, model._meta.get_field(name).attname) != _plain(value)]:
            for name in differs:
                setattr(obj, name, values[name])
            changed.append(obj)
            fields.update(_columns(model, differs))
        by_key[wanted[0] if len(wanted) == 1 else wanted] = obj
    model.objects.bulk_create(created)
    if changed:
        stamps = [field for field in model._meta.concrete_fields if getattr(field, "auto_now", 0)]
        for obj in changed:
            for field in stamps:
                field.pre_save(obj, False)
        model.objects.bulk_update(changed, [*fields, *(field.name for field in stamps)])
    return by_key


def _plain(value):
    """A related row by its id, as the row's own column holds it."""
    return value.pk if isinstance(value, Model) else value


def _columns(model, names) -> list[str]:
    """The fields to write for `names`: a money field's currency goes with its amount."""
    fields = {field.name for field in model._meta.concrete_fields}
    return [column for name in names for column in (name, f"{name}_currency")
            if column in fields]


def _seed_coupons(products) -> None:
    coupons = _upsert(Coupon.objects.all(), [
        ({"code": code}, {
            "name": name, "percent_off": percent, "amount_off": amount,
            "currency": "USD" if amount else "", "duration": duration, "periods": periods,
            "valid_from": BOOKS_FROM, "stackable": stackable,
            # a percentage holds in every currency of the demo books; an amount in its own
            "currencies": "USD" if amount else ",".join(BOOKS)})
        for code, name, percent, amount, duration, periods, skus, stackable in COUPONS])
    for code, *_, skus, _stackable in COUPONS:
        coupons[code].products.set([products[sku] for sku in skus])


def _seed_tax_rates(categories) -> None:
    _upsert(TaxRate.objects.all(), [
        ({"name": name, "country": country, "region": region,
          "category": categories[category] if category else None,
          "effective_from": BOOKS_FROM},
         {"percent": D(percent), "compound": compound, "sequence": sequence})
        for name, country, region, category, percent, compound, sequence in TAX_RATES])


def _seed_products(categories) -> dict[str, Product]:
    products = _upsert(Product.objects.all(), [
        ({"sku": sku}, {
            "name": name, "family": family, "kind": kind, "unit_of_measure": unit,
            "revenue_rule": rule, "tax_category": categories[category],
            "is_bundle": sku.startswith("BUNDLE-"),
            "unit_cost": Money(D(cost), "USD") if cost else None})
        for sku, name, family, kind, unit, rule, category, cost, ssp in PRODUCTS])
    usage_rates = ("API-CALLS", "STORAGE-GB", "SMS-PACK", "WEBHOOK-EVENTS")
    _upsert(StandaloneSellingPrice.objects.all(), [
        ({"product": products[sku], "amount_currency": currency}, {
            "amount": Money(_converted(ssp, currency, rate=sku in usage_rates), currency),
            "basis": SSP_BASIS[sku]})
        for sku, *_, ssp in PRODUCTS if ssp for currency in BOOKS])
    return products


def _seed_configuration(products) -> None:
    platform = products["PLATFORM"]
    groups = _upsert(OptionGroup.objects.filter(product=platform), [
        ({"product": platform, "name": "Edition"},
         {"min_selections": 1, "max_selections": 1, "required": True, "sort_order": 0}),
        ({"product": platform, "name": "Seats and add-ons"},
         {"min_selections": 1, "max_selections": None, "sort_order": 1})])
    edition, addons = groups[(platform.pk, "Edition")], groups[(platform.pk, "Seats and add-ons")]
    _upsert(ProductOption.objects.filter(group__product=platform), [
        *(({"group": edition, "product": products[sku]}, {
            "default_selected": sku == "PLAT-PRO", "pricing": ComponentPricing.SEPARATE,
            "quantity": D(1), "quantity_editable": False, "sort_order": order})
          for order, sku in enumerate(["PLAT-STARTER", "PLAT-PRO", "PLAT-ENT"])),
        *(({"group": addons, "product": products[sku]}, {
            "default_selected": sku == "SEAT-USER", "pricing": ComponentPricing.SEPARATE,
            "quantity": D(10), "quantity_editable": True, "sort_order": order})
          for order, sku in enumerate(["SEAT-USER", "SEAT-SSO", "SEAT-ANALYTICS"]))])
    rules = [
        (RuleKind.EXCLUDES, "SEAT-SSO", "PLAT-STARTER",
         "Single sign-on needs the Professional or Enterprise edition."),
        (RuleKind.REQUIRES, "SEAT-ANALYTICS", "PLAT-ENT", ""),
        (RuleKind.REQUIRES, "SEAT-SSO", "SEAT-USER", ""),
    ]
    _upsert(ConfigurationRule.objects.filter(product=platform), [
        ({"product": platform, "subject": products[subject], "kind": kind,
          "target": products[target]}, {"message": message})
        for kind, subject, target, message in rules])
    bundle = products["BUNDLE-GROWTH"]
    _upsert(BundleComponent.objects.filter(bundle=bundle), [
        ({"bundle": bundle, "component": products[sku]},
         {"quantity": D(quantity), "pricing": pricing, "sort_order": order})
        for order, (sku, quantity, pricing) in enumerate([
            ("PLAT-PRO", 1, ComponentPricing.INCLUDED),
            ("SEAT-USER", 25, ComponentPricing.INCLUDED),
            ("ONBOARDING", 1, ComponentPricing.INCLUDED),
            ("SUPPORT-PREMIUM", 1, ComponentPricing.SEPARATE)])])


def _seed_book(currency: str, products, actor) -> None:
    book = _upsert(PriceBook.objects.all(), [({"name": f"Standard {currency}"}, {
        "currency": currency, "effective_from": BOOKS_FROM, "is_standard": True,
        "active": True, "prices_include_tax": currency in INCLUSIVE_BOOKS,
        "rounding_mode": "half_up", "tax_rounding": "", "cash_rounding_step": None,
        **BOOK_POLICIES.get(currency, {})})])[f"Standard {currency}"]
    before = selectors.price_snapshots_of_book(book)
    entries = _upsert(PriceBookEntry.objects.filter(price_book=book), [
        ({"price_book": book, "product": products[sku], "billing_period": period},
         _entry_values(currency, model, amount, extra))
        for sku, period, model, amount, extra, tiers in PRICES])
    _seed_tiers(currency, {entries[(book.pk, products[sku].pk, period)]: tiers
                           for sku, period, *_, tiers in PRICES})
    services.record_price_changes(before=before, after=selectors.price_snapshots_of_book(book),
                                  by=actor, source="seed_catalog")


def _entry_values(currency: str, model: str, amount: str, extra: dict) -> dict:
    maximum, fee = extra.get("maximum_amount"), extra.get("transaction_maximum")
    return {"price_model": model, "unit_amount": _converted(amount, currency),
            "package_size": extra.get("package_size"),
            "minimum_amount": _converted(extra.get("minimum_amount", "0"), currency),
            "maximum_amount": maximum and _converted(maximum, currency),
            "included_units": extra.get("included_units", D(0)),
            "minimum_packages": extra.get("minimum_packages", D(0)),
            "fixed_fee": _converted(extra.get("fixed_fee", "0"), currency),
            "transaction_maximum": fee and _converted(fee, currency),
            "percent": extra.get("percent"),
            "percent_of_kind": extra.get("percent_of_kind", "")}


def _seed_tiers(currency: str, tiers_of: dict) -> None:
    """Each entry's tiers as PRICES lists them: an entry whose tiers differ gets them anew."""
    have = defaultdict(list)
    for tier in PriceTier.objects.filter(entry__in=tiers_of).order_by("entry_id", "pk"):
        have[tier.entry_id].append((tier.from_quantity, tier.up_to, tier.unit_amount,
                                    tier.flat_amount, tier.block_size))
    stale, fresh = [], []
    for entry, tiers in tiers_of.items():
        wanted = [(D(start), D(end) if end else None, _converted(unit, currency, rate=True),
                   _converted(flat, currency), block[0] if block else None)
                  for start, end, unit, flat, *block in tiers]
        if have[entry.pk] != wanted:
            stale.append(entry.pk)
            fresh += [PriceTier(entry=entry, from_quantity=s, up_to=e, unit_amount=u,
                                flat_amount=f, block_size=b) for s, e, u, f, b in wanted]
    PriceTier.objects.filter(entry_id__in=stale).delete()
    PriceTier.objects.bulk_create(fresh)
