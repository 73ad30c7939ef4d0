"""Keyset pages (core.pagination): every row once across the pages, forwards and backwards,
ties on the ordering broken by the pk, and a cursor that is not ours gives the first page."""

import base64
import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from billing.models import Invoice
from core.pagination import AFTER, BEFORE, SIZE, _decode, _keys, keyset_page
from tests.billing.factories import issued_invoice_row
from tests.customers.factories import AccountFactory

NOON = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def invoices(db):
    """Seven invoices, three of them created in the same microsecond (a tie on the order)."""
    account = AccountFactory(currency="USD")
    made = [issued_invoice_row(account=account) for _ in range(7)]
    Invoice.objects.filter(pk__in=[i.pk for i in made[2:5]]).update(created_at=NOON)
    Invoice.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(
        created_at=datetime(2026, 11, 1, tzinfo=UTC))
    Invoice.objects.filter(pk__in=[made[5].pk, made[6].pk]).update(
        created_at=datetime(2026, 12, 1, tzinfo=UTC))
    return list(Invoice.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))


def _walk(queryset, size, direction=AFTER, start=None):
    params, pages = ({direction: start} if start else {}), []
    while True:
        page = keyset_page(queryset, params, default_size=size)
        pages.append([i.pk for i in page])
        cursor = page.next_cursor if direction == AFTER else page.previous_cursor
        if cursor is None:
            return pages, page
        params = {direction: cursor}


def test_walking_forward_meets_every_row_once_in_order_with_ties(invoices):
    pages, last = _walk(Invoice.objects.all(), 2)
    assert pages == [invoices[0:2], invoices[2:4], invoices[4:6], invoices[6:7]]
    assert not last.has_next and last.has_previous


def test_walking_back_from_the_last_page_gives_the_same_pages(invoices):
    forward, last = _walk(Invoice.objects.all(), 3)
    backward, first = _walk(Invoice.objects.all(), 3, BEFORE, last.previous_cursor)
    # the pages before the last one, from the end; the start of the list is a full page
    assert backward == [invoices[3:6], invoices[0:3]] and forward[:2] == backward[::-1]
    assert not first.has_previous and first.at_start and first.has_next


def test_filters_stay_applied_across_pages(invoices):
    other = issued_invoice_row(account=AccountFactory(currency="EUR"), currency="EUR")
    pages, _ = _walk(Invoice.objects.filter(currency="USD"), 4)
    assert sum(pages, []) == invoices and other.pk not in sum(pages, [])


def test_a_row_added_while_paging_does_not_shift_the_next_page(invoices):
    first = keyset_page(Invoice.objects.all(), {}, default_size=3)
    newest = issued_invoice_row()  # it would push every offset page by one row
    Invoice.objects.filter(pk=newest.pk).update(created_at=datetime(2027, 1, 1, tzinfo=UTC))
    second = keyset_page(Invoice.objects.all(), {AFTER: first.next_cursor}, default_size=3)
    assert [i.pk for i in second] == invoices[3:6]


def test_the_size_asked_for_is_one_of_the_offered_sizes(invoices):
    assert keyset_page(Invoice.objects.all(), {SIZE: "25"}, default_size=2).size == 25
    assert keyset_page(Invoice.objects.all(), {SIZE: "1000000"}, default_size=2).size == 2
    assert keyset_page(Invoice.objects.all(), {SIZE: "-1"}, default_size=2).size == 2


@pytest.mark.parametrize("cursor", [
    "%%%", "bm90IGpzb24", _cursor({"a": 1}), _cursor(["2026-11-23 12:00:00+00:00"]),
    _cursor(["not a time", "1"]), _cursor(["2026-11-23 12:00:00+00:00", "one"]),
    _cursor([None, None]), _cursor([["nested"], 1]), "\x00\ud800" * 3])
def test_a_cursor_that_is_not_ours_gives_the_first_page(invoices, cursor,
                                                        django_assert_max_num_queries):
    for direction in (AFTER, BEFORE):
        with django_assert_max_num_queries(1):
            page = keyset_page(Invoice.objects.all(), {direction: cursor}, default_size=2)
        assert [i.pk for i in page] == invoices[:2] and page.at_start


@given(st.text())
def test_any_text_decodes_to_a_position_or_to_nothing(text):
    keys = _keys(Invoice.objects.all(), None)
    values = _decode(text, keys)
    assert values is None or (len(values) == 2 and isinstance(values[0], datetime)
                              and isinstance(values[1], int))


def test_the_pk_breaks_ties_and_nullable_orderings_are_refused():
    assert [k.name for k in _keys(Invoice.objects.all(), None)] == ["created_at", "id"]
    assert [k.name for k in _keys(Invoice.objects.order_by("pk"), None)] == ["id"]
    with pytest.raises(ImproperlyConfigured, match="non-null"):
        _keys(Invoice.objects.order_by("-issue_on"), None)
    with pytest.raises(ImproperlyConfigured, match="non-null"):
        _keys(Invoice.objects.order_by("account__name"), None)
