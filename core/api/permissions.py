"""Permissions for endpoints that read documents without an owner (catalog, ledger, revenue):
the view permissions the pages require. Writes are checked by the services themselves."""

from rest_framework.permissions import BasePermission


class HasPerms(BasePermission):
    """The view's `required_perms` (a list of permission names), all of them."""

    message = "You are not allowed to read these documents."

    def has_permission(self, request, view):
        perms = getattr(view, "required_perms", ())
        return bool(request.user and request.user.is_authenticated
                    and request.user.has_perms(perms))
