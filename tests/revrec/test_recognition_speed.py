"""A recognition chunk is set-based: its queries are a fixed number whatever its size (pinned
here, so a query per contract or per draft shows at once), and a draft that does not balance
refuses the whole chunk: nothing posted, nothing recognized, the chunk left to run again."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.drafts import LineDraft
from ledger.models import AccountMovement, JournalEntry, JournalLine
from revrec import postings
from revrec.models import RecognitionChunk, RecognitionItem, RunState, ScheduleLine
from revrec.services import run_recognition_chunk, start_recognition_run
from revrec.services.recognition import _in_chunk, _previous_positions
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = pytest.mark.django_db

DEC, JAN_2 = date(2026, 12, 1), date(2027, 1, 2)
# The queries of a chunk of a run in progress (not its last: the last also completes the
# run), whatever its number of contracts. SQLite: 32, of which five inserts (entries, lines,
# movements, items, revenue rows). PostgreSQL: those five go by COPY, which Django's query
# capture does not see, and three of them first take their ids from the sequence in one query
# each (entries, items, revenue rows), and the GL and customer accounts are one statement:
# 32 - 5 + 3 - 1. (36 and 34 before the posting lost its savepoint, two, and the journal
# series became one UPDATE ... RETURNING, one; 33 and 30 before the chunk asked once which
# patterns its range holds: its goods here, no usage, so the usage and minimum reads went.)
CHUNK_QUERIES = {"postgresql": 29, "sqlite": 32}


@pytest.fixture
def chunks_of(sales_rep, finance, accountant, monkeypatch, django_capture_on_commit_callbacks):
    """A December run over `sizes` revenue contracts per chunk (in that order) and one more
    chunk after them, whose messages were captured, not delivered: the test runs them."""

    def make(*sizes):
        contracts = [revenue_contract_of(active_contract(sales_rep, by=finance))
                     for _ in range(sum(sizes) + 1)]
        with django_capture_on_commit_callbacks(execute=False):
            start_recognition_run(month=DEC, by=accountant, on=JAN_2)
        chunks = list(RecognitionChunk.objects.order_by("sequence"))
        assert len(chunks) == 1  # one chunk of CHUNK_SIZE: split it as asked
        RecognitionChunk.objects.all().delete()
        ids = [rc.pk for rc in contracts]
        made, at = [], 0
        for sequence, size in enumerate([*sizes, 1], start=1):
            made.append(RecognitionChunk.objects.create(
                run=chunks[0].run, sequence=sequence, first_id=ids[at],
                last_id=ids[at + size - 1]))
            at += size
        return made

    return make


def _queries(chunk, by) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert run_recognition_chunk(chunk_id=chunk.pk, by=by) >= 1
    return len(queries)


def test_a_chunk_takes_a_fixed_number_of_queries_whatever_its_size(chunks_of, accountant):
    # given chunks of one and of four revenue contracts after a first one (which warms the
    # caches of permissions and content types) and before a last one (which completes)
    first, one, four, _last = chunks_of(1, 1, 4)
    run_recognition_chunk(chunk_id=first.pk, by=accountant)
    # when each runs
    queries = (_queries(one, accountant), _queries(four, accountant))
    # then both took the pinned number, and each contract was recognized once
    assert queries == (CHUNK_QUERIES[connection.vendor],) * 2
    assert RecognitionItem.objects.count() == 6
    assert JournalEntry.objects.filter(memo__startswith="Revenue recognized").count() == 6


def test_an_unbalanced_draft_refuses_the_whole_chunk(chunks_of, accountant, monkeypatch):
    # given a chunk of three revenue contracts, the second of whose revenue entries is short
    # by a cent on its credit side
    (chunk, last) = chunks_of(3)
    entry_before = postings.revenue_entry
    made = []

    def short_by_a_cent(**kwargs):
        draft = entry_before(**kwargs)
        made.append(draft)
        if len(made) != 2:
            return draft
        debit, credit, *rest = draft.lines
        short = LineDraft(credit.gl_code, credit=credit.credit - Decimal("0.01"),
                          description=credit.description)
        return type(draft)(draft.document_date, draft.memo, (debit, short, *rest),
                           draft.source, draft.source_label)

    monkeypatch.setattr(postings, "revenue_entry", short_by_a_cent)
    entries, lines = JournalEntry.objects.count(), JournalLine.objects.count()
    movements = AccountMovement.objects.count()
    # when the chunk runs, it is refused, naming the entry
    with pytest.raises(ValidationError, match=r'Entry 2 "Revenue recognized .*" is unbalanced'):
        run_recognition_chunk(chunk_id=chunk.pk, by=accountant)
    # then nothing of it was posted or recorded, and the chunk is still to do
    assert (JournalEntry.objects.count(), JournalLine.objects.count(),
            AccountMovement.objects.count()) == (entries, lines, movements)
    assert not RecognitionItem.objects.exists()
    assert not ScheduleLine.objects.filter(run__isnull=False).exists()
    chunk.refresh_from_db()
    assert chunk.finished_at is None and chunk.run.state == RunState.RUNNING
    # and, the draft mended, the chunk posts every contract once
    monkeypatch.setattr(postings, "revenue_entry", entry_before)
    assert run_recognition_chunk(chunk_id=chunk.pk, by=accountant) == 3
    assert run_recognition_chunk(chunk_id=last.pk, by=accountant) == 1
    assert RecognitionItem.objects.count() == 4



@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="DISTINCT ON is PostgreSQL's; SQLite reads every earlier month and "
                           "keeps the latest in Python")
def test_a_run_reads_each_contracts_latest_position_only(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    # given a revenue contract recognized in December, January and February
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    for month in (DEC, date(2027, 1, 1), date(2027, 2, 1)):
        with django_capture_on_commit_callbacks(execute=True):
            start_recognition_run(month=month, by=accountant, on=date(2027, 3, 2))
    read = []

    def rows_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "revrec_recognitionitem"' in sql:
            read.append(context["cursor"].rowcount)
        return result

    # when March's run reads where each contract stands
    with connection.execute_wrapper(rows_read):
        positions = _previous_positions((rc.pk, rc.pk), date(2027, 3, 1))

    # then one row, February's, not one per month recognized
    february = RecognitionItem.objects.get(revenue_contract=rc, month=date(2027, 2, 1))
    assert read == [1]
    assert positions[rc.pk].recognized == february.recognized_to_date


def test_a_chunk_marks_its_own_lines_recognized_reading_the_lines_once(chunks_of, accountant):
    # given a chunk of two revenue contracts and one more chunk after it
    chunk, last = chunks_of(2)
    # when the first chunk runs
    with CaptureQueriesContext(connection) as queries:
        assert run_recognition_chunk(chunk_id=chunk.pk, by=accountant) == 2
    # then one UPDATE marks the lines, naming them by their obligations: the lines table is
    # not joined to itself (an id list from a second scan of the lines, 2.1 s of a 100k run),
    # and the month's items it asks about are the range's (the obligations' and the items')
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "revrec_scheduleline"')]
    assert len(updates) == 1
    assert 'FROM "revrec_scheduleline"' not in updates[0]
    assert updates[0].count("BETWEEN") == 2
    # and exactly the chunk's December lines are recognized, not the next chunk's
    marked = ScheduleLine.objects.filter(run=chunk.run)
    assert set(marked.values_list("obligation__revenue_contract_id", flat=True)) == set(
        RecognitionItem.objects.values_list("revenue_contract_id", flat=True))
    assert set(marked.values_list("month", flat=True)) == {DEC}
    assert not ScheduleLine.objects.filter(
        obligation__revenue_contract__pk__range=(last.first_id, last.last_id),
        run__isnull=False).exists()


def test_a_chunk_names_its_range_in_each_subquery_of_its_contracts(chunks_of):
    # given a chunk of two revenue contracts
    chunk, _ = chunks_of(2)
    # then its contracts still to recognize are read by the range in the query and in both its
    # subqueries (started obligations, the month's items): with the range only outside,
    # PostgreSQL joins the chunk to every started obligation (50 ms a chunk at 100,000)
    assert str(_in_chunk(chunk).query).count("BETWEEN") == 3
