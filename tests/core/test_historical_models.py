"""`migrate` renders every historical model many times; their FSM fields must not each leave a
`class_prepared` receiver behind (core.historical_models), which made migrate four times slower."""

import weakref

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin


def fsm_receivers() -> int:
    count = 0
    for entry in class_prepared.receivers:
        ref = entry[1]
        target = ref() if isinstance(ref, weakref.ReferenceType) else ref
        if isinstance(getattr(target, "__self__", None), FSMFieldMixin):
            count += 1
    return count


@pytest.mark.django_db
def test_rendering_the_migrations_models_connects_no_fsm_receiver():
    before = fsm_receivers()
    state = MigrationLoader(connection).project_state()
    historical = state.apps  # renders every model of the last migration state
    assert historical.get_model("billing", "Invoice")._meta.get_field("state").transitions
    assert fsm_receivers() == before
