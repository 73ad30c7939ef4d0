from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The in-app inbox and the email deliveries of customer documents. It sits just above
    core (it imports no stage): stages call its services, and it hears whose turn it is from
    the transition history core writes (`receivers.py`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        from notifications import receivers  # noqa: F401  (connects the history listener)
