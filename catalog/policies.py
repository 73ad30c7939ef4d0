"""The defaults of the policies that change what is billed and taxed (proration, tax rounding,
the early-payment tax mode, due dates on business days), read from the settings here and nowhere
else (revenue recognition's own policy is read in `revrec/policies.py`). A document copies them
when it is made (a contract line records its day count, an invoice its rounding and early-payment
mode) and reads its own copy from then on, so a setting changed later never moves money already
agreed."""

from enum import StrEnum

from django.conf import settings

from catalog.proration import Convention, Granularity, convention_from_setting
from catalog.tax import TaxRounding


def default_convention() -> Convention:
    """The day-count convention new lines take (setting PRORATION_CONVENTION: "actual" or
    "30/360")."""
    return convention_from_setting(settings.PRORATION_CONVENTION)


def default_time_zone() -> str:
    """The time zone a line's moments are read in when its account names none (setting
    TIME_ZONE, the company's)."""
    return settings.TIME_ZONE


def time_zone_of(account) -> str:
    """The time zone a document of `account` reads moments in: the account's when it names one
    (`customers.Account.time_zone`, asked of customers for issue 17), else the company's."""
    return getattr(account, "time_zone", "") or default_time_zone()


def granularity_of(snapshot: dict) -> Granularity:
    """The proration granularity a frozen price carries (by day when it names none)."""
    return Granularity((snapshot or {}).get("source", {}).get("proration_granularity",
                                                             Granularity.DAY))


def due_dates_on_business_days() -> bool:
    """Whether a due date on a weekend moves to the next business day (setting
    DUE_DATES_ON_BUSINESS_DAYS, off by default; catalog.due_schedule does the moving)."""
    return bool(settings.DUE_DATES_ON_BUSINESS_DAYS)


TAX_ROUNDING_SETTING = {"line": TaxRounding.PER_LINE, "per_line": TaxRounding.PER_LINE,
                        "invoice": TaxRounding.PER_DOCUMENT,
                        "per_document": TaxRounding.PER_DOCUMENT}


def tax_rounding() -> TaxRounding:
    """The company default where a price book names no tax rounding (setting TAX_ROUNDING:
    "line" or "invoice")."""
    value = settings.TAX_ROUNDING.strip().lower()
    if value not in TAX_ROUNDING_SETTING:
        raise ValueError(f"TAX_ROUNDING is {value!r}; use 'line' or 'invoice'")
    return TAX_ROUNDING_SETTING[value]


class EarlyDiscountTaxMode(StrEnum):
    """How an early-payment (cash) discount treats tax, Odoo's three modes (the values of
    payments.cash_discount.DiscountTaxMode, which does the maths when money moves)."""

    ALWAYS = "always"  # tax on the discounted net at issue, paid early or not
    ON_EARLY_PAYMENT = "on_early_payment"  # tax corrected only when the discount is taken
    NEVER = "never"  # tax never corrected


EARLY_DISCOUNT_TAX_MODE_CHOICES = [
    (EarlyDiscountTaxMode.ALWAYS.value, "Tax reduced at issue (always)"),
    (EarlyDiscountTaxMode.ON_EARLY_PAYMENT.value, "Tax reduced on early payment"),
    (EarlyDiscountTaxMode.NEVER.value, "Tax never reduced"),
]


def early_discount_tax_mode() -> EarlyDiscountTaxMode:
    """The company's early-payment discount tax mode, copied onto each invoice when it is issued
    (setting EARLY_DISCOUNT_TAX_MODE: "always", "on_early_payment" or "never")."""
    return EarlyDiscountTaxMode(settings.EARLY_DISCOUNT_TAX_MODE)
