"""Column shapes shared by billing's tables (amounts as contracts and quotes store them)."""

from decimal import Decimal

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}
QUANTITY = {"max_digits": 19, "decimal_places": 6}
UNIT_PRICE = {"max_digits": 19, "decimal_places": 6, "default": Decimal("0")}
RATE = {"max_digits": 19, "decimal_places": 8}
