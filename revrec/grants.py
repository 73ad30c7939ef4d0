"""What each role may do with revrec (collected by `core.roles.role_permissions`)."""

GRANTS: dict[str, list[str]] = {}
