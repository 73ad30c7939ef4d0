"""Keyset pages for lists over large tables: "after this row" instead of "skip N rows".

A page is read with one query that starts from the index at the cursor (the ordering key and
the pk of the row at the page's edge) and takes `size + 1` rows: the extra row says whether
there is more. Nothing counts the whole table and nothing skips rows (OFFSET reads and throws
away every row before the page, so page 20,000 of a million invoices reads a million rows).
The cursor names a position, not a page number, so rows added while someone pages never shift
or repeat what they see.

Links are `?after=<cursor>` and `?before=<cursor>` beside the list's own filters (the template
keeps the rest of the query string), and `?size=` one of PAGE_SIZES. A cursor that does not
decode, or whose values do not fit the ordering's fields, gives the first page: a cursor is
only ever a position, so a bad one can mean no more than "start again".

The ordering's fields must be the model's own non-null columns; the pk is added as the last key
when the last field is not unique, so rows that tie on the ordering keep one order across pages.
"""

import base64
import binascii
import json
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db.models import Q, QuerySet

PAGE_SIZES = (25, 50, 100)
AFTER, BEFORE, SIZE = "after", "before", "size"


@dataclass(frozen=True)
class _Key:
    field: object  # the model field
    descending: bool

    @property
    def name(self) -> str:
        return self.field.attname

    def beyond(self, value, *, inclusive: bool = False) -> Q:
        """Rows past `value` in this key's direction."""
        lookup = ("lt" if self.descending else "gt") + ("e" if inclusive else "")
        return Q(**{f"{self.name}__{lookup}": value})


@dataclass
class KeysetPage:
    """One page of rows, with the cursors of the pages either side (None at the ends)."""

    object_list: list
    size: int
    default_size: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    at_start: bool = True  # no cursor was followed (a "first page" link is pointless)
    sizes: Sequence[int] = field(default=PAGE_SIZES)
    is_keyset = True  # the pagination include draws keyset links for these pages

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _keys(queryset: QuerySet, ordering: Sequence[str] | None) -> list[_Key]:
    meta = queryset.model._meta
    names = list(ordering or queryset.query.order_by or meta.ordering)
    keys = []
    for name in names:
        descending = name.startswith("-")
        bare = name.lstrip("-")
        try:
            model_field = meta.pk if bare == "pk" else meta.get_field(bare)
        except FieldDoesNotExist:
            model_field = None
        if model_field is None or not model_field.concrete or model_field.null:
            raise ImproperlyConfigured(f"Keyset ordering needs the model's own non-null columns; "
                                       f"{name!r} is not one.")
        keys.append(_Key(model_field, descending))
    if not keys:
        raise ImproperlyConfigured("Keyset pages need an ordering.")
    if not (keys[-1].field.primary_key or keys[-1].field.unique):
        keys.append(_Key(meta.pk, keys[-1].descending))
    return keys


def _encode(values: list) -> str:
    text = json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, keys: list[_Key]) -> list | None:
    """The key values of a cursor, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        texts = json.loads(raw)
        if not isinstance(texts, list) or len(texts) != len(keys):
            return None
        values = [key.field.to_python(text) for key, text in zip(keys, texts, strict=True)]
    except (binascii.Error, ValueError, TypeError, ValidationError, UnicodeDecodeError):
        return None
    return None if any(v is None for v in values) else values


def _after(keys: list[_Key], values: list) -> Q:
    """Rows strictly past the row with these key values: the first key bounded (so the index
    range starts at the cursor), then the lexicographic comparison of all keys."""
    past = [Q(**{k.name: v for k, v in zip(keys[:i], values[:i], strict=True)})
            & key.beyond(values[i]) for i, key in enumerate(keys)]
    return keys[0].beyond(values[0], inclusive=True) & reduce(operator.or_, past)


def _cursor(row, keys: list[_Key]) -> str:
    return _encode([getattr(row, key.name) for key in keys])


def cursor_for(queryset: QuerySet, row, ordering: Sequence[str] | None = None) -> str:
    """The `after` cursor of the page that follows `row` (a benchmark's deep page, a test)."""
    return _cursor(row, _keys(queryset, ordering))


def page_size(params: Mapping, default: int) -> int:
    """The size asked for, if it is one of PAGE_SIZES; else the list's default."""
    asked = params.get(SIZE, "")
    return int(asked) if asked.isdigit() and int(asked) in PAGE_SIZES else default


def keyset_page(queryset: QuerySet, params: Mapping, *, default_size: int = 25,
                ordering: Sequence[str] | None = None) -> KeysetPage:
    """The page of `queryset` that the request's `after`/`before`/`size` name (the first page
    when they name none, or a bad one), in the queryset's ordering (or `ordering`) with the pk
    as the last tie-breaker. One query (two for a "previous" link that reaches the start)."""
    keys = _keys(queryset, ordering)
    size = page_size(params, default_size)
    forward = [f"{'-' if k.descending else ''}{k.name}" for k in keys]
    backward = [f"{'' if k.descending else '-'}{k.name}" for k in keys]
    page = KeysetPage([], size, default_size)
    before = _decode(params.get(BEFORE, ""), keys) if params.get(BEFORE) else None
    if before is not None:
        reversed_keys = [_Key(k.field, not k.descending) for k in keys]
        rows = list(queryset.filter(_after(reversed_keys, before)).order_by(*backward)[:size + 1])
        if len(rows) > size:
            page.object_list = rows[:size][::-1]
            page.previous_cursor = _cursor(page.object_list[0], keys)
            page.next_cursor = _cursor(page.object_list[-1], keys)
            page.at_start = False
            return page
        # the start of the list is less than a page away: show the first page
    after = _decode(params.get(AFTER, ""), keys) if params.get(AFTER) else None
    rows_qs = queryset.order_by(*forward)
    if after is not None:
        rows_qs = rows_qs.filter(_after(keys, after))
    rows = list(rows_qs[:size + 1])
    page.object_list = rows[:size]
    if len(rows) > size:
        page.next_cursor = _cursor(page.object_list[-1], keys)
    page.at_start = after is None
    if after is not None and page.object_list:
        page.previous_cursor = _cursor(page.object_list[0], keys)
    return page
