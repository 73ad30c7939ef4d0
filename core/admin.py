"""Admin building blocks the apps share (core registers no models of its own)."""


class ReadOnlyMixin:
    """Documents are shown in admin, never added, edited or deleted there: their life goes
    through the services (and state machines) behind the app's own pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
