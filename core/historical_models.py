"""Migrations without django-fsm's cost: its FSMField connects a `class_prepared` receiver for
every model it is put on, and migrations render each historical model again and again, so by
the last migration class_prepared has hundreds of live receivers and `migrate` spends most of
its time dispatching that signal (2 of its 2.5 CPU minutes on a fresh database).

A historical model (a migration's own app registry) has no transition methods to collect, so
its fields need no receiver: they get their empty transition table at once. The project's
models still connect as django-fsm does. Applied once, from `CoreConfig.ready`."""

from django.apps import apps as global_apps
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin


def skip_transition_collection_for_historical_models() -> None:
    contribute = FSMFieldMixin.contribute_to_class
    if getattr(contribute, "historical_models_skip", False):
        return

    def contribute_to_class(self, cls, name, private_only=False, **kwargs):
        contribute(self, cls, name, private_only=private_only, **kwargs)
        if cls._meta.apps is not global_apps:
            class_prepared.disconnect(self._collect_transitions)
            self.transitions[cls] = {}

    contribute_to_class.historical_models_skip = True
    FSMFieldMixin.contribute_to_class = contribute_to_class
