"""The one way a document changes state: permission, the django-fsm transition, save, history.

`run_transition` is called inside the service's transaction after the service has locked the row.
`run_bulk_transition` is the same rule for many documents without one query per row.
"""

from collections.abc import Sequence
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import FSMFieldMixin, can_proceed, get_available_user_FIELD_transitions

from core.actors import as_actor
from core.dates import business_date
from core.models import TransitionLog


def _fsm_meta(document, transition_name: str):
    method = getattr(document, transition_name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{type(document).__name__}.{transition_name} is not an FSM transition")
    return method, meta


def _required_permission(document, meta) -> str | None:
    state = meta.field.get_state(document)
    transition = meta.get_transition(state)
    return transition.permission if transition else None


def _check(document, transition_name: str, actor) -> tuple:
    method, meta = _fsm_meta(document, transition_name)
    source = meta.field.get_state(document)
    if not can_proceed(method):
        label = type(document)._meta.verbose_name
        action = transition_name.replace("_", " ")
        raise ValidationError(f"This {label} cannot {action} while {source}.")
    permission = _required_permission(document, meta)
    if permission and not actor.has_perm(permission):
        raise PermissionDenied(f"You are not allowed to {transition_name.replace('_', ' ')}.")
    return method, meta, source


def allowed_transitions(document, user) -> frozenset[str]:
    """The transitions `user` may take on `document` now: its state, each transition's
    conditions and permission. A page's buttons ask this, so they follow the state machine
    rather than a copied list of states."""
    return frozenset(
        transition.name
        for field in document._meta.fields if isinstance(field, FSMFieldMixin)
        for transition in get_available_user_FIELD_transitions(document, user, field))


def _log(document, transition_name, source, target, actor, note, on) -> TransitionLog:
    return TransitionLog(
        content_type=ContentType.objects.get_for_model(document),
        object_id=document.pk,
        transition=transition_name,
        source=source,
        target=target,
        actor_kind=actor.kind,
        actor=actor.user,
        actor_name=actor.label,
        actor_ip=actor.ip,
        note=note,
        business_date=business_date(on),
    )


def run_transition(document, transition_name: str, *, by, note: str = "", on: date | None = None,
                   **kwargs):
    """Check permission and conditions, run the transition, save the document, record history."""
    actor = as_actor(by)
    method, meta, source = _check(document, transition_name, actor)
    method(**kwargs)
    document.save()
    target = meta.field.get_state(document)
    _log(document, transition_name, source, target, actor, note, on).save()
    return document


# Primary keys per UPDATE ... WHERE pk IN (...): under SQLite's bound-parameter limit, and one
# statement per 5,000 rows is nothing beside the rows themselves on PostgreSQL.
UPDATE_BATCH = 5000


def run_bulk_transition(documents: Sequence, transition_name: str, *, by, note: str = "",
                        on: date | None = None, update_fields: Sequence[str] = (),
                        **kwargs) -> list:
    """The same rule for many documents: permission once, transitions in memory (each with
    the same `kwargs`), one bulk update and one bulk insert of history rows. Any document that
    cannot move stops them all."""
    if not documents:
        return []
    actor = as_actor(by)
    _, meta = _fsm_meta(documents[0], transition_name)
    permission = _required_permission(documents[0], meta)
    if permission and not actor.has_perm(permission):
        raise PermissionDenied(f"You are not allowed to {transition_name.replace('_', ' ')}.")
    blocked = [str(doc) for doc in documents if not can_proceed(getattr(doc, transition_name))]
    if blocked:
        raise ValidationError(f"Cannot {transition_name.replace('_', ' ')}: {', '.join(blocked)}.")
    logs = []
    for document in documents:
        source = meta.field.get_state(document)
        getattr(document, transition_name)(**kwargs)
        logs.append(_log(document, transition_name, source, meta.field.get_state(document),
                         actor, note, on))
    model = type(documents[0])
    if update_fields:
        model.objects.bulk_update(documents, [meta.field.name, *update_fields])
    else:  # only the state moved: one UPDATE per target state, not a CASE per row
        by_target: dict[str, list] = {}
        for document in documents:
            by_target.setdefault(meta.field.get_state(document), []).append(document.pk)
        for target, pks in by_target.items():
            for start in range(0, len(pks), UPDATE_BATCH):
                model.objects.filter(pk__in=pks[start:start + UPDATE_BATCH]).update(
                    **{meta.field.name: target})
    TransitionLog.objects.bulk_create(logs)
    return list(documents)


def history_for(document):
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(document), object_id=document.pk
    ).select_related("actor")
