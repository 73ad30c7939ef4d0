"""What several contract services share: the default day-count convention new lines take."""

from catalog.policies import default_convention


def default_day_count() -> str:
    """The day count a new contract line records (setting PRORATION_CONVENTION: "actual" or
    "30/360"); the line's own field is what its charges are computed with from then on."""
    return default_convention().day_count.value

