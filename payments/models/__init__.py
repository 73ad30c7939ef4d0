"""Payments' tables, one module per concept: cash received and where it went (`payments`),
saved cards (`methods`), the sandbox gateway's own books (`sandbox`), webhook deliveries
(`webhooks`), bank statement imports (`statements`) and dunning (`dunning`)."""

from payments.models.dunning import (
    AccountDunning,
    DunningEvent,
    DunningPolicy,
    DunningPolicyStep,
    DunningRun,
    DunningRunChunk,
    DunningRunState,
    DunningTemplate,
)
from payments.models.methods import PaymentMethod
from payments.models.payments import (
    Allocation,
    Dispute,
    DisputeState,
    Payment,
    PaymentMethodKind,
    PaymentState,
    Refund,
)
from payments.models.sandbox import SandboxCard, SandboxCharge, SandboxRefund
from payments.models.statements import StatementImport, StatementLine
from payments.models.webhooks import WebhookEvent

__all__ = [
    "AccountDunning", "Allocation", "Dispute", "DisputeState", "DunningEvent", "DunningPolicy",
    "DunningPolicyStep", "DunningRun", "DunningRunChunk", "DunningRunState", "DunningTemplate",
    "Payment", "PaymentMethod", "PaymentMethodKind", "PaymentState", "Refund", "SandboxCard",
    "SandboxCharge", "SandboxRefund", "StatementImport", "StatementLine", "WebhookEvent",
]
