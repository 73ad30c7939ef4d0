"""The verbs of the customers app: each one transaction, permission-checked, validated by field.

Split by concept; import from here (`customers.services.create_account`).
"""

from customers.services.accounts import (
    create_account,
    set_overdue_flag,
    set_overdue_flags,
    update_account,
)
from customers.services.contacts import add_contact, remove_contact, update_contact
from customers.services.importing import ImportRefused, ImportResult, RowError, import_accounts_csv
from customers.services.pauses import (
    DunningPause,
    pause_billing,
    pause_billings,
    resume_billing,
    resume_billings,
)
from customers.services.terms import validate_instalments
from customers.services.vat_checks import check_vat_id

__all__ = [
    "DunningPause", "pause_billing", "pause_billings", "resume_billing", "resume_billings",
    "ImportRefused", "ImportResult", "RowError", "add_contact", "check_vat_id", "create_account",
    "import_accounts_csv", "remove_contact", "set_overdue_flag", "set_overdue_flags",
    "update_account", "update_contact", "validate_instalments",
]
