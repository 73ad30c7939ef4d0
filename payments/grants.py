"""What each role may do with payments (collected by `core.roles.role_permissions`)."""

GRANTS: dict[str, list[str]] = {}
