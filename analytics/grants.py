"""What each role may see of analytics (collected by `core.roles.role_permissions`)."""

from core.roles import Role

GRANTS = {
    Role.SALES_MANAGER: ["analytics.view_analytics"],
    Role.FINANCE: ["analytics.view_analytics"],
    Role.ACCOUNTANT: ["analytics.view_analytics"],
}
