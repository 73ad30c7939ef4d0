"""On PostgreSQL the references of recognition items and revenue rows are checked once per
statement by triggers (`core.references`, migration 0020), not by per-row foreign keys: an
item or revenue row naming a missing row is refused at once; deleting an item still named by
revenue rows is refused at the commit, with them it passes; truncating items alone is
refused, with their revenue rows it passes."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from revrec.models import RecognitionItem, RecognizedRevenue
from revrec.services import start_recognition_run
from tests.ledger.factories import insert_copy, run_sql
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the per-statement reference checks are PostgreSQL triggers; "
                              "SQLite keeps the checks the recognition run makes in Python"),
]

DEC, LATER = date(2026, 12, 1), date(2030, 1, 1)
MISSING = 2_000_000_000


@pytest.fixture
def item(sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    """December recognized for one revenue contract: its item and revenue row."""
    revenue_contract_of(active_contract(sales_rep, by=finance))
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=date(2027, 1, 2))
    return RecognitionItem.objects.get()


@pytest.mark.parametrize("column", ["run_id", "revenue_contract_id", "entry_id",
                                    "reclass_entry_id"])
def test_an_item_naming_a_missing_row_is_refused_at_once(item, column):
    with pytest.raises(IntegrityError,
                       match=f'foreign key "fk_revrec_recognitionitem_{column}"'), \
            transaction.atomic():
        insert_copy(RecognitionItem, item.pk, month=LATER, **{column: MISSING})
    # and a copy naming rows that exist goes in
    insert_copy(RecognitionItem, item.pk, month=LATER)


def test_a_revenue_row_naming_a_missing_item_is_refused_at_once(item):
    row = RecognizedRevenue.objects.filter(item=item).first()
    with pytest.raises(IntegrityError,
                       match='foreign key "fk_revrec_recognizedrevenue_item_id"'), \
            transaction.atomic():
        insert_copy(RecognizedRevenue, row.pk, item_id=MISSING)


def test_deleting_an_item_is_refused_at_the_commit_unless_its_revenue_goes_too(item):
    with pytest.raises(IntegrityError,
                       match='foreign key "fk_revrec_recognizedrevenue_item_id"'), \
            transaction.atomic():
        run_sql(f"DELETE FROM revrec_recognitionitem WHERE id = {item.pk}",
             "SET CONSTRAINTS ALL IMMEDIATE")
    run_sql(f"DELETE FROM revrec_recognitionitem WHERE id = {item.pk}",
         f"DELETE FROM revrec_recognizedrevenue WHERE item_id = {item.pk}",
         "SET CONSTRAINTS ALL IMMEDIATE")
    assert not RecognizedRevenue.objects.exists()


def test_truncating_items_is_refused_unless_their_revenue_rows_go_too(item):
    with pytest.raises(IntegrityError,
                       match='foreign key "fk_revrec_recognizedrevenue_item_id"'), \
            transaction.atomic():
        run_sql("TRUNCATE revrec_recognitionitem")
    run_sql("TRUNCATE revrec_recognitionitem, revrec_recognizedrevenue")
    assert not RecognitionItem.objects.exists()
