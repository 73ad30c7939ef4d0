"""What each role may do with billing (collected by `core.roles.role_permissions`)."""

GRANTS: dict[str, list[str]] = {}
