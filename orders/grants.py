"""What each role may do with orders (collected by `core.roles.role_permissions`)."""

GRANTS: dict[str, list[str]] = {}
