"""The one way a document changes state: permission, the django-fsm transition, save, history.

`run_transition` is called inside the service's transaction after the service has locked the row.
`run_bulk_transition` is the same rule for many documents without one query per row.
"""

from collections.abc import Callable, Sequence
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import FSMFieldMixin, can_proceed, get_available_user_FIELD_transitions

from core import clock
from core.actors import as_actor
from core.bulk_rows import insert_tuples, update_columns
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


def history_row(document, transition_name: str, *, by, source: str, target: str,
                note: str = "", on: date | None = None) -> TransitionLog:
    """An unsaved history row for `document`. Transitions write theirs through
    `run_transition`; a service writes one itself only for an event that is not a state change
    (a document created into its first state, a note on a document that keeps its state)."""
    actor = as_actor(by)
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
    history_row(document, transition_name, by=actor, source=source, target=target, note=note,
                on=on).save()
    return document


# Primary keys per UPDATE ... WHERE pk IN (...): under SQLite's bound-parameter limit, and one
# statement per 5,000 rows is nothing beside the rows themselves on PostgreSQL.
UPDATE_BATCH = 5000
# The columns of a history row as `run_bulk_transition` writes them (`insert_tuples`).
HISTORY_FIELDS = ("content_type_id", "object_id", "transition", "source", "target",
                  "actor_kind", "actor_id", "actor_name", "actor_ip", "note", "business_date",
                  "created_at")


def run_bulk_transition(documents: Sequence, transition_name: str, *, by,
                        note: str | Callable[[object], str] = "", on: date | None = None,
                        update_fields: Sequence[str] = (), **kwargs) -> list:
    """The same rule for many documents: permission once, transitions in memory (each with
    the same `kwargs`), one update per source state (writing `update_fields` with the state)
    and one insert of history rows (`note`: the same for each, or a function giving each
    document's own). Any document that cannot move stops them all, and so does one whose
    stored state is no longer the state it was read in (another process moved it): the update
    is guarded by the source state, like django-fsm's ConcurrentTransitionMixin, and the
    caller's transaction rolls back."""
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
    moves, history = {}, []
    for document in documents:
        source = meta.field.get_state(document)
        getattr(document, transition_name)(**kwargs)
        target = meta.field.get_state(document)
        moves.setdefault((source, target), []).append(document)
        history.append((document.pk, source, target,
                        note(document) if callable(note) else note))
    model = type(documents[0])
    _move_states(model, meta.field.name, moves, transition_name, update_fields)
    _write_history(model, history, transition_name, actor=actor, on=on)
    return list(documents)


def _move_states(model, field: str, moves: dict[tuple[str, str], list],
                 transition_name: str, update_fields: Sequence[str]) -> None:
    """One UPDATE per (source, target) and batch, each only of rows still in their source
    state; a batch that moves fewer rows than it names was changed by someone else."""
    for (source, target), documents in moves.items():
        for start in range(0, len(documents), UPDATE_BATCH):
            batch = documents[start:start + UPDATE_BATCH]
            if update_fields:
                moved = update_columns(model, batch, [field, *update_fields],
                                       only_where={field: source})
            else:
                moved = model.objects.filter(pk__in=[d.pk for d in batch],
                                             **{field: source}).update(**{field: target})
            if moved != len(batch):
                raise ValidationError(
                    f"Cannot {transition_name.replace('_', ' ')}: {len(batch) - moved} of them "
                    f"changed meanwhile; reload and try again.")


def _write_history(model, moved: Sequence[tuple], transition_name: str, *, actor,
                   on: date | None) -> None:
    """The history rows of a bulk transition (`moved`: pk, source, target and note of each), as
    tuples of column values (one TransitionLog instance per document was a sixth of issuing a
    run's invoices, issue 23)."""
    content_type = ContentType.objects.get_for_model(model).pk
    who = (str(actor.kind), getattr(actor.user, "pk", None), actor.label, actor.ip)
    when = (business_date(on), clock.now())
    insert_tuples(TransitionLog, HISTORY_FIELDS, [
        (content_type, pk, transition_name, source, target, *who, note, *when)
        for pk, source, target, note in moved])


def history_for(document):
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(document), object_id=document.pk
    ).select_related("actor")
