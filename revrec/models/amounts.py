"""What the revenue models share: the shape of a stored amount and how a ratio is shown."""

from decimal import Decimal

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}


def plain(value: Decimal | None, places: int) -> str:
    """60, not 6E+1 nor 60.000000."""
    return "" if value is None else f"{round(value, places).normalize():f}"
