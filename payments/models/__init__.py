"""Payments' tables, one module per concept: cash received and where it went (`payments`),
saved cards (`methods`), the sandbox gateway's own books (`sandbox`), webhook deliveries
(`webhooks`), bank statement imports (`statements`) and dunning (`dunning`)."""

from payments.models.credits import CreditUse, CustomerCredit
from payments.models.dunning import (
    AccountDunning,
    DunningEvent,
    DunningPolicy,
    DunningPolicyStep,
    DunningRun,
    DunningRunChunk,
    DunningRunState,
    DunningTemplate,
    DunningThreshold,
    InterestBasis,
)
from payments.models.late_charges import (
    ClearingRule,
    LateCharge,
    LateChargeKind,
    LateChargePayment,
    LateChargeState,
    PaymentsProfile,
    ReferenceRate,
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
    "AccountDunning", "Allocation", "ClearingRule", "CreditUse", "CustomerCredit",
    "DunningThreshold", "InterestBasis",
    "LateCharge", "LateChargeKind", "LateChargePayment", "LateChargeState", "PaymentsProfile",
    "ReferenceRate", "Dispute", "DisputeState", "DunningEvent", "DunningPolicy",
    "DunningPolicyStep", "DunningRun", "DunningRunChunk", "DunningRunState", "DunningTemplate",
    "Payment", "PaymentMethod", "PaymentMethodKind", "PaymentState", "Refund", "SandboxCard",
    "SandboxCharge", "SandboxRefund", "StatementImport", "StatementLine", "WebhookEvent",
]
