"""Payment gateways: the interface the project charges through (`base`), the sandbox that
behaves like a real one (`sandbox`), and `gateway()` to get the configured one."""

from django.conf import settings
from django.utils.module_loading import import_string

from payments.gateways.base import (
    ChargeResult,
    ChargeStatus,
    Gateway,
    GatewayDeclined,
    GatewayEvent,
    GatewayTimeout,
    InvalidSignature,
    RefundResult,
    SavedCard,
)

__all__ = [
    "ChargeResult", "ChargeStatus", "Gateway", "GatewayDeclined", "GatewayEvent",
    "GatewayTimeout", "InvalidSignature", "RefundResult", "SavedCard", "gateway",
]


def gateway() -> Gateway:
    """The gateway of settings.PAYMENT_GATEWAY (a dotted class path; the sandbox by default)."""
    return import_string(settings.PAYMENT_GATEWAY)()
