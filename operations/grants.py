"""What each role may do with operations (collected by `core.roles.role_permissions`): finance
sets what the scheduled runs do; finance and catalog admins see the operations page; finance
and accountants dismiss a refused run's alert; whoever may start a run closes the alerts it
settles (the system user for beat's runs)."""

from core.roles import Role

_REFUSALS = ["operations.view_runrefusal", "operations.dismiss_runrefusal",
             "operations.resolve_runrefusal"]

GRANTS = {
    Role.FINANCE: ["operations.view_operations", "operations.view_schedulesettings",
                   "operations.change_schedulesettings", *_REFUSALS],
    Role.ACCOUNTANT: ["operations.view_schedulesettings", *_REFUSALS],
    Role.SYSTEM: ["operations.resolve_runrefusal"],
    Role.CATALOG_ADMIN: ["operations.view_operations"],
}
