"""What each role may do with billing (collected by `core.roles.role_permissions`).

Sales roles see the invoices of the accounts they can see (billing.selectors.invoices_visible_to,
by the account's owner); finance runs, issues, voids and settles; accountants read everything;
the system user runs invoice runs, issues and applies payments for tasks. Only finance prints
and posts the documents of accounts that take them by post."""

from core.roles import Role

_READ = ["billing.view_invoice", "billing.view_invoiceline", "billing.view_creditnote",
         "billing.view_creditnoteline", "billing.view_dueinstalment"]
_READ_ALL = [*_READ, "billing.view_all_invoices", "billing.view_invoicerun",
             "billing.view_billingrecord", "billing.view_usagerecord", "billing.view_usageimport",
             "billing.view_invoicetax", "billing.view_creditnotetax"]

GRANTS = {
    Role.SALES_REP: _READ,
    Role.SALES_MANAGER: [*_READ, "billing.view_team_invoices"],
    Role.FINANCE: [*_READ_ALL, "billing.start_invoice_run", "billing.edit_draft_invoice",
                   "billing.issue_invoice", "billing.void_invoice", "billing.apply_payment",
                   "billing.mark_invoice_uncollectible", "billing.issue_credit_note",
                   "billing.import_usage", "billing.mark_posted", "billing.view_postalcopy"],
    Role.ACCOUNTANT: _READ_ALL,
    # Payments' tasks act as the system user: dunning's last step writes an invoice off, and
    # a card payment confirmed later settles its early-payment discount by a credit.
    Role.SYSTEM: [*_READ_ALL, "billing.start_invoice_run", "billing.edit_draft_invoice",
                  "billing.issue_invoice", "billing.apply_payment", "billing.import_usage",
                  "billing.mark_invoice_uncollectible", "billing.issue_credit_note"],
}
