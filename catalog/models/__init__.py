"""Catalog models: products and their configuration, price books and prices, tax rates,
guided selling."""

from catalog.models.coupons import Coupon, CouponDuration
from catalog.models.guided_selling import GuidedAnswer, GuidedProposal, GuidedQuestion
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
    "CouponDuration", "GuidedAnswer", "GuidedProposal", "GuidedQuestion", "OptionGroup",
    "PriceBook", "PriceBookEntry", "PriceChange", "PriceChangeAction", "PriceModel", "PriceTier",
    "Product", "ProductKind", "ProductOption", "RevenueRule", "RuleKind",
    "SSPBasis", "StandaloneSellingPrice", "TaxCategory", "TaxRate",
]
