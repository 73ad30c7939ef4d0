"""What each role may do with deliveries (collected by `core.roles.role_permissions`):
finance sends and resends documents and reads the outbox; tasks send as the system user."""

from core.roles import Role

GRANTS = {
    Role.FINANCE: ["notifications.send_delivery", "notifications.view_delivery",
                   "notifications.view_outbox"],
    Role.ACCOUNTANT: ["notifications.view_delivery"],
    Role.SYSTEM: ["notifications.send_delivery", "notifications.view_delivery"],
}
