"""The verbs of the contracts app: each one transaction, permission-checked, validated by field.

Split by concept; import from here (`contracts.services.activate`).
"""

from contracts.services.amendments import (
    amendment_changes,
    amendment_for_quote,
    apply_amendment,
    changes_total,
    open_amendment,
    start_amendment,
)
from contracts.services.imports import ImportRefused, import_contracts
from contracts.services.lifecycle import (
    activate,
    activate_due_contracts,
    countersign,
    create_contract_from_quote,
    email_sent_contract,
    send_for_signature,
    sign,
    sign_by_acceptance,
)
from contracts.services.links import (
    LinkProblem,
    contract_for_link,
    contract_link_token,
    contract_link_url,
)
from contracts.services.renewals import (
    create_renewal_quote,
    email_renewal_reminder,
    process_renewals,
)
from contracts.services.termination import terminate_contract, termination_preview

__all__ = [
    "ImportRefused", "LinkProblem", "activate", "activate_due_contracts", "amendment_changes",
    "amendment_for_quote",
    "apply_amendment", "changes_total", "contract_for_link", "contract_link_token",
    "contract_link_url", "countersign", "create_contract_from_quote", "create_renewal_quote",
    "email_renewal_reminder", "email_sent_contract", "import_contracts", "open_amendment",
    "process_renewals", "send_for_signature", "sign", "sign_by_acceptance", "start_amendment",
    "terminate_contract", "termination_preview",
]
