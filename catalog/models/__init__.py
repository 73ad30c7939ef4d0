"""Catalog models: products and their configuration, price books and prices, tax rates."""

from catalog.models.coupons import Coupon, CouponDuration
from catalog.models.price_books import (
    BillingPeriod,
    PriceBook,
    PriceBookEntry,
    PriceChange,
    PriceChangeAction,
    PriceModel,
    PriceTier,
)
from catalog.models.products import (
    BundleComponent,
    ComponentPricing,
    ConfigurationRule,
    OptionGroup,
    Product,
    ProductKind,
    ProductOption,
    RevenueRule,
    RuleKind,
    SSPBasis,
    StandaloneSellingPrice,
)
from catalog.models.tax_rates import TaxCategory, TaxRate

__all__ = [
    "BillingPeriod", "BundleComponent", "ComponentPricing", "ConfigurationRule", "Coupon",
    "CouponDuration", "OptionGroup",
    "PriceBook", "PriceBookEntry", "PriceChange", "PriceChangeAction", "PriceModel", "PriceTier",
    "Product", "ProductKind", "ProductOption", "RevenueRule", "RuleKind",
    "SSPBasis", "StandaloneSellingPrice", "TaxCategory", "TaxRate",
]
