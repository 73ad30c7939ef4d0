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


@pytest.mark.parametrize("staged", [False, True], ids=["one statement", "staged by COPY"])
def test_update_columns_writes_each_rows_values_whichever_way_it_goes(monkeypatch, staged):
    """Few rows go in one UPDATE over arrays, many by COPY into a staging table (issue 23);
    either way each row gets its own JSON (quotes, backslashes, non-ASCII, null), time and
    text, and the other columns stay."""
    from datetime import UTC, datetime

    from core import bulk_rows
    from core.bulk_rows import update_columns
    from core.models import OutboxMessage

    monkeypatch.setattr(bulk_rows, "COPY_FROM", 2 if staged else 10_000)
    rows = insert_rows(OutboxMessage, [OutboxMessage(task=f"t{n}", args=[n]) for n in range(3)])
    values = [["a \"quoted\" \\\\ value", {"k": "é€"}], [], [None, 1.5]]
    for row, args, n in zip(rows, values, range(3), strict=True):
        row.args, row.sent_at = args, datetime(2026, 12, 7, n, tzinfo=UTC)
        row.last_error, row.task = f"error {n}", "changed in memory only"

    update_columns(OutboxMessage, rows, ["args", "sent_at", "last_error"])

    stored = OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert [(m.task, m.args, m.sent_at.hour, m.last_error) for m in stored] == [
        (f"t{n}", values[n], n, f"error {n}") for n in range(3)]


@pytest.mark.parametrize("staged", [False, True], ids=["one statement", "staged by COPY"])
def test_update_columns_guarded_writes_only_the_rows_that_still_hold_the_value(monkeypatch,
                                                                               staged):
    """`only_where` keeps the write to the rows still holding a value (a state another process
    may have moved), and says how many it wrote."""
    from core import bulk_rows
    from core.bulk_rows import update_columns
    from core.models import OutboxMessage

    monkeypatch.setattr(bulk_rows, "COPY_FROM", 2 if staged else 10_000)
    rows = insert_rows(OutboxMessage, [OutboxMessage(task="waiting", args=[n])
                                       for n in range(3)])
    OutboxMessage.objects.filter(pk=rows[1].pk).update(task="taken")
    for row in rows:
        row.task, row.last_error = "done", "written"

    written = update_columns(OutboxMessage, rows, ["task", "last_error"],
                             only_where={"task": "waiting"})

    stored = OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert written == 2
    assert [(m.task, m.last_error) for m in stored] == [("done", "written"), ("taken", ""),
                                                        ("done", "written")]


@pytest.mark.parametrize("staged", [False, True], ids=["one statement", "staged by COPY"])
def test_update_columns_writes_json_columns_wherever_they_stand_among_the_others(monkeypatch,
                                                                                 staged):
    """JSON columns named between plain ones (COPY sends them last), a JSON value that is a
    bare string or null, amounts and rates: each lands in its own column."""
    from decimal import Decimal

    from billing.models import Invoice
    from core import bulk_rows
    from core.bulk_rows import update_columns
    from tests.billing.factories import issued_invoice_row

    monkeypatch.setattr(bulk_rows, "COPY_FROM", 2 if staged else 10_000)
    rows = [issued_invoice_row(), issued_invoice_row()]
    for row, seller, n in zip(rows, ["a bare string", {"name": "Acme \"EU\""}], range(2),
                              strict=True):
        row.seller, row.functional_total, row.buyer = seller, Decimal(f"12.3{n}"), {"n": n}
        row.fx_rate, row.payment_means = Decimal("1.2345"), {"iban": None} if n else [1, "two"]

    update_columns(Invoice, rows, ["seller", "functional_total", "buyer", "fx_rate",
                                   "payment_means"])

    stored = Invoice.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert [(i.seller, i.functional_total, i.buyer, i.fx_rate, i.payment_means)
            for i in stored] == [
        ("a bare string", Decimal("12.30"), {"n": 0}, Decimal("1.2345"), [1, "two"]),
        ({"name": "Acme \"EU\""}, Decimal("12.31"), {"n": 1}, Decimal("1.2345"), {"iban": None})]


def test_update_columns_by_copy_prepares_no_plain_value(monkeypatch):
    """The issue transition writes 21 columns of a thousand invoices a batch by COPY: numbers,
    dates, text and Decimals go as they are (psycopg adapts them; on PostgreSQL a field's
    preparation returns them unchanged), only the JSON columns are turned into text (issue 23:
    a field's preparation per cell was a quarter of that write's CPU)."""
    from decimal import Decimal

    from django.db import connection
    from django.db.models import Field

    from billing.models import Invoice
    from core import bulk_rows
    from core.bulk_rows import update_columns
    from tests.billing.factories import issued_invoice_row

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's: elsewhere update_columns is the ORM's bulk_update")
    monkeypatch.setattr(bulk_rows, "COPY_FROM", 2)
    rows = [issued_invoice_row(), issued_invoice_row()]
    for row in rows:
        row.functional_total, row.fx_rate = Decimal("7.50"), Decimal(2)
    prepared = []
    real = Field.get_db_prep_save
    monkeypatch.setattr(Field, "get_db_prep_save",
                        lambda field, *args, **kw: prepared.append(field.name)
                        or real(field, *args, **kw))

    update_columns(Invoice, rows, ["functional_total", "fx_rate", "issue_on", "journal_entry",
                                   "issued_at"])

    assert prepared == []
    assert set(Invoice.objects.filter(pk__in=[r.pk for r in rows]).values_list(
        "functional_total", "fx_rate")) == {(Decimal("7.50"), Decimal(2))}
