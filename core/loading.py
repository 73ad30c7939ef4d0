"""Model instances built from database rows without `Model.__init__`'s call per column.

Django builds each fetched row by `Model.__init__`, which assigns every column through its
descriptor: fifty assignments an invoice. On a row just read, each of those descriptors stores
the value in the instance's `__dict__` and does nothing else (a foreign key's id has no cached
object to forget yet, an FSM state has no value to protect yet, a file's name is wrapped when
read), so `DirectLoad.from_db` stores the row there at once: the same instance, with the same
`pre_init`/`post_init` signals and django-fsm's `ConcurrentTransitionMixin` recording the state
it was read in. A row with deferred columns stores the columns read (the others load when
first asked, as Django's); a model with a column whose descriptor does more (a money field's,
say) is built by Django's path. Building the drafts was a quarter of issuing a run's chunk
(issue 23).
"""

from functools import cache

from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django_fsm import ConcurrentTransitionMixin, FSMFieldDescriptor

# Descriptors that, on an instance just made, store the value under the column's attname.
_STORING = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)


def _stores_plainly(model, field) -> bool:
    descriptor = model.__dict__.get(field.attname) or getattr(model, field.attname, None)
    if isinstance(descriptor, FSMFieldDescriptor):
        return not field.state_proxy  # no proxy class to switch to
    return type(descriptor) in _STORING


@cache
def _plain(model) -> bool:
    """Whether every column's descriptor only stores its value."""
    return all(_stores_plainly(model, field) for field in model._meta.concrete_fields)


class DirectLoad:
    """Mixed into a model (before `models.Model`) whose rows are read by the thousand."""

    @classmethod
    def from_db(cls, db, field_names, values):
        """`field_names`: the attnames of the columns read, in the order of `values`."""
        if not _plain(cls):
            return super().from_db(db, field_names, values)
        pre_init.send(sender=cls, args=values, kwargs={})
        new = cls.__new__(cls)
        new._state = ModelState()
        new.__dict__.update(zip(field_names, values, strict=True))
        post_init.send(sender=cls, instance=new)
        if isinstance(new, ConcurrentTransitionMixin):
            new._update_initial_state()
        new._state.adding, new._state.db = False, db
        return new
