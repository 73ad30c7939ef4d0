"""What each role may do with quotes (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_SELL = [
    "quotes.view_quote", "quotes.add_quote", "quotes.change_quote", "quotes.submit_quote",
    "quotes.revise_quote", "quotes.send_quote",
]
_VIEW_ALL = ["quotes.view_quote", "quotes.view_quoteline", "quotes.view_all_quotes"]

GRANTS = {
    Role.SALES_REP: _SELL,
    Role.SALES_MANAGER: [*_SELL, "quotes.view_team_quotes", "quotes.approve_quote"],
    Role.FINANCE: [*_VIEW_ALL, "quotes.approve_quote", "quotes.view_approvalrequest",
                   "quotes.view_approvalrule", "quotes.add_approvalrule",
                   "quotes.change_approvalrule"],
    Role.ACCOUNTANT: _VIEW_ALL,
    # The system expires quotes past their date and drafts renewal quotes for their owners.
    Role.SYSTEM: ["quotes.view_quote", "quotes.view_all_quotes", "quotes.expire_quote",
                  "quotes.add_quote"],
}
