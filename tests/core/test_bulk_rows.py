"""`insert_rows` raises Django's exceptions, as the ORM does (red team 2026-12, finding 11: on
PostgreSQL COPY's psycopg errors bypassed every `except IntegrityError`)."""

import pytest
from django.db import IntegrityError, transaction

from core.bulk_rows import insert_rows
from core.models import NumberSequence

pytestmark = pytest.mark.django_db


def test_a_row_that_breaks_a_unique_constraint_raises_integrity_error():
    NumberSequence.objects.create(key="invoice-2026")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(NumberSequence, [NumberSequence(key="invoice-2026")])

    assert NumberSequence.objects.filter(key="invoice-2026").count() == 1
