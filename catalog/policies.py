"""The defaults of the policies that change money, read from the settings here and nowhere
else. A document copies them when it is made (a contract line records its day count) and reads
its own copy from then on, so a setting changed later never moves money already agreed."""

from django.conf import settings

from catalog.proration import Convention, convention_from_setting


def default_convention() -> Convention:
    """The day-count convention new lines take (setting PRORATION_CONVENTION: "actual" or
    "30/360")."""
    return convention_from_setting(settings.PRORATION_CONVENTION)


def due_dates_on_business_days() -> bool:
    """Whether a due date on a weekend moves to the next business day (setting
    DUE_DATES_ON_BUSINESS_DAYS, off by default; catalog.due_schedule does the moving)."""
    return bool(settings.DUE_DATES_ON_BUSINESS_DAYS)
