"""One invoice's entry goes in with as few round trips as its rows allow (issue 23: one invoice
created and issued took 16.5 ms against 10): its few lines and movements in one INSERT each,
where a COPY takes two round trips; a bulk posting's many rows still go by COPY."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk_rows import FEW_ROWS
from ledger import services
from ledger.models import AccountMovement, JournalLine
from tests.ledger.factories import balanced, invoice_draft

pytestmark = [pytest.mark.django_db,
              pytest.mark.postgres("COPY is PostgreSQL's; elsewhere rows go in by the ORM")]
MARCH = date(2026, 3, 15)


def inserted_into(call) -> list[str]:
    """The ledger's tables the call wrote by INSERT, in order (a COPY is not in the query
    log)."""
    with CaptureQueriesContext(connection) as captured:
        call()
    tables = [re.match(r'INSERT INTO "?(\w+)', query["sql"]).group(1)
              for query in captured if query["sql"].startswith("INSERT INTO")]
    return [table for table in tables if table.startswith("ledger_")]


def test_one_entry_writes_its_lines_and_movements_in_one_insert_each(finance, customer):
    services.ensure_period(MARCH)  # the month exists, as it does for all but its first posting
    tables = inserted_into(lambda: services.post_entry(
        invoice_draft(customer, document_amount="100.00", rate="1.10", on=MARCH), by=finance))

    assert tables == ["ledger_journalentry", "ledger_journalline", "ledger_accountmovement"]
    assert JournalLine.objects.count() == 2
    assert AccountMovement.objects.count() == 2


def test_a_bulk_posting_still_copies_its_lines(finance):
    drafts = [balanced(amount=Decimal(n + 1), memo=f"Sale {n}") for n in range(FEW_ROWS)]

    tables = inserted_into(lambda: services.post_entries(drafts, by=finance))

    assert "ledger_journalline" not in tables
    assert JournalLine.objects.count() == 2 * FEW_ROWS
