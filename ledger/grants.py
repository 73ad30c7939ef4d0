"""What each role may do in the ledger (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_VIEW = [
    "ledger.view_glaccount", "ledger.view_accountingperiod", "ledger.view_journalentry",
    "ledger.view_journalline", "ledger.view_exchangerate", "ledger.view_manualjournal",
    "ledger.view_ledgerexport", "ledger.view_glaccountmapping",
]
_RATES = ["ledger.add_exchangerate", "ledger.change_exchangerate", "ledger.import_rates"]

GRANTS = {
    Role.FINANCE: [*_VIEW, *_RATES, "ledger.post_entries", "ledger.approve_manualjournal"],
    Role.ACCOUNTANT: [*_VIEW, *_RATES, "ledger.add_glaccount", "ledger.change_glaccount",
                      "ledger.post_entries", "ledger.add_manualjournal",
                      "ledger.approve_manualjournal", "ledger.start_close", "ledger.close_period",
                      "ledger.reopen_period", "ledger.export_entries",
                      "ledger.add_glaccountmapping", "ledger.change_glaccountmapping",
                      "ledger.delete_glaccountmapping"],
    Role.SYSTEM: [*_VIEW, "ledger.post_entries"],
}
