"""What each role may do with payments (collected by `core.roles.role_permissions`).

Finance does everything; accountants read everything; sales roles see the payments of the
accounts they can see (payments.selectors.payments_visible_to, by the account's owner, as
billing does for invoices) and the aging of those accounts; late charges and customer credit
are finance's (accountants read them); the system user charges cards, settles pending charges,
handles webhooks, runs dunning (issuing late charges) and auto-applies customer credit.
"""

from core.roles import Role

_READ = ["payments.view_payment", "payments.view_allocation", "payments.view_refund",
         "payments.view_dispute", "payments.view_paymentmethod"]
_READ_ALL = [*_READ, "payments.view_all_payments", "payments.view_dunningrun",
             "payments.view_dunningevent", "payments.view_dunningpolicy",
             "payments.view_dunningpolicystep", "payments.view_dunningtemplate",
             "payments.view_accountdunning", "payments.view_statementimport",
             "payments.view_statementline", "payments.view_webhookevent",
             "payments.view_referencerate", "payments.view_clearingrule",
             "payments.view_dunningthreshold", "payments.view_paymentsprofile",
             "payments.view_latecharge", "payments.view_latechargepayment",
             "payments.view_customercredit", "payments.view_credituse"]
_WORK = ["payments.record_payment", "payments.allocate_payment", "payments.refund_payment",
         "payments.manage_dispute", "payments.charge_card", "payments.run_dunning",
         "payments.apply_customer_credit"]

GRANTS = {
    Role.SALES_REP: _READ,
    Role.SALES_MANAGER: [*_READ, "payments.view_team_payments"],
    Role.FINANCE: [*_READ_ALL, *_WORK, "payments.import_statement",
                   "payments.write_off_invoice",
                   "payments.add_dunningpolicy", "payments.change_dunningpolicy",
                   "payments.delete_dunningpolicy", "payments.add_dunningpolicystep",
                   "payments.change_dunningpolicystep", "payments.delete_dunningpolicystep",
                   "payments.add_dunningtemplate", "payments.change_dunningtemplate",
                   "payments.add_accountdunning", "payments.change_accountdunning",
                   "payments.change_paymentmethod", "payments.waive_late_charge",
                   "payments.add_dunningthreshold", "payments.change_dunningthreshold",
                   "payments.delete_dunningthreshold", "payments.add_referencerate",
                   "payments.change_referencerate", "payments.add_clearingrule",
                   "payments.change_clearingrule", "payments.add_paymentsprofile",
                   "payments.change_paymentsprofile"],
    Role.ACCOUNTANT: _READ_ALL,
    Role.SYSTEM: [*_READ_ALL, *_WORK],
}
