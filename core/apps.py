from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core.historical_models import skip_transition_collection_for_historical_models
        from core.roles import apply_roles_after_migrate

        skip_transition_collection_for_historical_models()

        post_migrate.connect(apply_roles_after_migrate, dispatch_uid="core.apply_roles")
