from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core.roles import apply_roles_after_migrate

        post_migrate.connect(apply_roles_after_migrate, dispatch_uid="core.apply_roles")
