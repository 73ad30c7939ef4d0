"""What each role may do with customers (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_VIEW = ["customers.view_account", "customers.view_contact", "customers.view_paymentterms"]
_EDIT = [
    "customers.add_account", "customers.change_account",
    "customers.add_contact", "customers.change_contact", "customers.delete_contact",
]

GRANTS = {
    Role.SALES_REP: [*_VIEW, *_EDIT],
    Role.SALES_MANAGER: [*_VIEW, *_EDIT, "customers.view_team_accounts"],
    Role.FINANCE: [*_VIEW, *_EDIT, "customers.view_all_accounts", "customers.import_accounts",
                   "customers.add_paymentterms", "customers.change_paymentterms",
                   "customers.set_overdue_flag", "customers.change_commercial_terms",
                   "customers.pause_billing"],
    Role.ACCOUNTANT: [*_VIEW, "customers.view_all_accounts"],
    Role.SYSTEM: [*_VIEW, "customers.view_all_accounts", "customers.set_overdue_flag",
                  "customers.pause_billing"],
}
