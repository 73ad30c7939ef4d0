"""What each role may do with operations (collected by `core.roles.role_permissions`): finance
sets what the scheduled runs do; finance and catalog admins see the operations page."""

from core.roles import Role

GRANTS = {
    Role.FINANCE: ["operations.view_operations", "operations.view_schedulesettings",
                   "operations.change_schedulesettings"],
    Role.ACCOUNTANT: ["operations.view_schedulesettings"],
    Role.CATALOG_ADMIN: ["operations.view_operations"],
}
