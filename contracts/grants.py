"""What each role may do with contracts (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_SELL = ["contracts.view_contract", "contracts.view_contractline", "contracts.send_contract",
         "contracts.amend_contract", "contracts.view_amendment"]
_VIEW_ALL = ["contracts.view_contract", "contracts.view_contractline",
             "contracts.view_all_contracts", "contracts.view_amendment",
             "contracts.view_termination"]

GRANTS = {
    Role.SALES_REP: _SELL,
    Role.SALES_MANAGER: [*_SELL, "contracts.view_team_contracts"],
    Role.FINANCE: [*_VIEW_ALL, "contracts.add_contract", "contracts.countersign_contract",
                   "contracts.activate_contract", "contracts.terminate_contract",
                   "contracts.end_contractline",
                   "contracts.import_contracts", "contracts.view_contracttemplate",
                   "contracts.add_contracttemplate", "contracts.change_contracttemplate"],
    Role.ACCOUNTANT: _VIEW_ALL,
    Role.SYSTEM: [*_VIEW_ALL, "contracts.add_contract", "contracts.activate_contract",
                  "contracts.expire_contract", "contracts.renew_contract",
                  "contracts.end_contractline"],
}
