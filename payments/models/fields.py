"""Column shapes of payments' tables (amounts as billing stores them)."""

from decimal import Decimal

AMOUNT = {"max_digits": 19, "decimal_places": 4}
AMOUNT_ZERO = {**AMOUNT, "default": Decimal("0")}
RATE = {"max_digits": 19, "decimal_places": 8}
