"""What the project needs from a payment gateway, as plain values.

Every call that moves money carries an idempotency key made from our row ids: the gateway
answers a repeated key with the first answer, so a retry (or two requests at once) never
charges or refunds twice. A timeout means the outcome is unknown: the payment stays pending and
is settled by asking the gateway again (`retrieve_charge`), never by guessing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"  # the gateway confirms later (webhook, or ask again)
    FAILED = "failed"


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    reference: str
    decline_code: str = ""
    message: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str


@dataclass(frozen=True)
class SavedCard:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class GatewayEvent:
    """One verified webhook event: `kind` such as charge.succeeded, charge.dispute.created."""

    event_id: str
    kind: str
    reference: str  # the charge it is about
    data: dict = field(default_factory=dict)


class GatewayTimeout(Exception):
    """The gateway did not answer: the outcome is unknown."""


class GatewayDeclined(Exception):
    """The gateway refused a request that is not a charge (a refund, a token). `code` names
    the reason in a word a page can map to its own sentence (never shown as sent)."""

    def __init__(self, message: str = "", *, code: str = "declined"):
        super().__init__(message)
        self.code = code


class InvalidSignature(Exception):
    """A webhook whose signature does not verify (or is too old to trust)."""


class Gateway(Protocol):
    name: str

    def charge(self, *, token: str, amount: Decimal, currency: str,
               idempotency_key: str) -> ChargeResult: ...

    def retrieve_charge(self, *, idempotency_key: str) -> ChargeResult | None: ...

    def refund(self, *, reference: str, amount: Decimal,
               idempotency_key: str) -> RefundResult: ...

    def save_method(self, *, token: str) -> SavedCard: ...

    def describe_card(self, *, token: str) -> SavedCard | None: ...

    def parse_webhook(self, *, body: bytes, signature: str) -> GatewayEvent: ...
