"""The permission check every payments service starts with."""

from django.core.exceptions import PermissionDenied

from core.actors import as_actor


def require(by, permission: str, action: str):
    actor = as_actor(by)
    if not actor.has_perm(permission):
        raise PermissionDenied(f"You are not allowed to {action}.")
    return actor
