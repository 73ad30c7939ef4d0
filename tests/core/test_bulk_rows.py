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


def test_a_field_left_to_its_database_default_is_written_with_it():
    # (bench_dunning's seed stopped here: COPY cannot take Django's DatabaseDefault marker)
    from billing.models import InvoiceLine, LineSource
    from tests.billing.factories import issued_invoice_row

    invoice = issued_invoice_row()
    [line] = insert_rows(InvoiceLine, [InvoiceLine(
        invoice=invoice, position=9, source=LineSource.MANUAL, description="Setup",
        quantity=1, unit_price=100, amount=100, tax_amount=0)])

    stored = InvoiceLine.objects.get(pk=line.pk)
    assert (stored.vat_reason, stored.vat_article, stored.description) == ("", "", "Setup")
