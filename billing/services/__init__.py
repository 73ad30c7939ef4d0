"""Billing's verbs, one module per concept. Later stages import them from here."""

from billing.services.settlement import (
    apply_credit,
    apply_payment,
    mark_uncollectible,
    reverse_payment,
)

__all__ = ["apply_credit", "apply_payment", "mark_uncollectible", "reverse_payment"]
