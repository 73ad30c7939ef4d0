"""What each role may do with orders (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_VIEW = ["orders.view_order", "orders.view_orderline", "orders.view_fulfilment"]
_VIEW_ALL = [*_VIEW, "orders.view_all_orders"]

GRANTS = {
    Role.SALES_REP: _VIEW,
    Role.SALES_MANAGER: [*_VIEW, "orders.view_team_orders"],
    Role.FINANCE: [*_VIEW_ALL, "orders.add_order", "orders.submit_order", "orders.release_order",
                   "orders.cancel_order", "orders.fulfil_order", "orders.close_order"],
    Role.ACCOUNTANT: _VIEW_ALL,
    Role.SYSTEM: [*_VIEW_ALL, "orders.add_order", "orders.submit_order"],
}
