"""On PostgreSQL the references of journal entries and lines are checked once per statement by
triggers (`core.references`, migration 0012), not by per-row foreign keys: the same rules
hold. A row naming a missing parent is refused at once, on insert and on update; deleting a
parent still named is refused at the commit (deferred, as Django's foreign keys are), while
deleting it with the rows that name it in one transaction, in either order, passes (the test
suite's flush). (Truncating a parent alone: tests/revrec/test_references.py; the ledger's
parents are also named by real foreign keys, which refuse it first.)"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction

from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft, SourceRef
from ledger.models import AccountingPeriod, GLAccount, JournalEntry, JournalLine
from tests.ledger.factories import (
    GLAccountFactory,
    balanced,
    insert_copy,
    invoice_draft,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the per-statement reference checks are PostgreSQL triggers; "
                              "SQLite keeps the checks post_entries makes in Python"),
]

MARCH = dt.date(2026, 3, 15)
MISSING = 2_000_000_000


def _commit_checks():
    """Run the checks deferred to the commit now (the test's transaction never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def posted(finance, customer):
    """An invoice entry: its receivable line names the customer account."""
    return services.post_entry(invoice_draft(customer, document_amount="10.00", rate="1.1"),
                               by=finance)


@pytest.mark.parametrize("column", ["period_id", "source_type_id", "posted_by_id"])
def test_an_entry_naming_a_missing_row_is_refused_at_once(posted, column):
    number = JournalEntry.objects.order_by("-number").values_list("number", flat=True)[0] + 1
    with pytest.raises(IntegrityError, match=f'foreign key "fk_ledger_journalentry_{column}"'), \
            transaction.atomic():
        insert_copy(JournalEntry, posted.pk, number=number, **{column: MISSING})
    # and a copy naming rows that exist goes in
    insert_copy(JournalEntry, posted.pk, number=number)


@pytest.mark.parametrize("column", ["entry_id", "gl_account_id", "customer_account_id"])
def test_a_line_naming_a_missing_row_is_refused_at_once(posted, column):
    # a line of nothing on both sides keeps its entry balanced: only the reference is wrong
    line = posted.lines.get(customer_account__isnull=False)
    with pytest.raises(IntegrityError, match=f'foreign key "fk_ledger_journalline_{column}"'), \
            transaction.atomic():
        insert_copy(JournalLine, line.pk, debit=0, credit=0, **{column: MISSING})
    insert_copy(JournalLine, line.pk, debit=0, credit=0)
    assert posted.lines.count() == 3


def test_a_line_moved_to_a_missing_entry_is_refused(posted):
    with pytest.raises(IntegrityError, match='foreign key "fk_ledger_journalline_entry_id"'), \
            transaction.atomic():
        _sql("UPDATE ledger_journalline SET entry_id = %s WHERE entry_id = %s",
             [MISSING, posted.pk])


def test_one_missing_key_among_rows_naming_the_same_parents_and_none_is_refused(posted):
    # the check counts the parents it locks against the distinct keys named: given three lines
    # of one entry, two naming the customer and one none (a line of nothing added)
    line = posted.lines.get(customer_account__isnull=False)
    insert_copy(JournalLine, line.pk, debit=0, credit=0)
    other = posted.lines.get(customer_account__isnull=True)
    # moving one of them to a missing entry, or naming a missing customer on the one without,
    # leaves a key short, and the message names it
    with pytest.raises(IntegrityError, match='foreign key "fk_ledger_journalline_entry_id"') as \
            refused, transaction.atomic():
        _sql("UPDATE ledger_journalline SET entry_id = CASE WHEN id = %s THEN %s ELSE entry_id "
             "END WHERE entry_id = %s", [other.pk, MISSING, posted.pk])
    assert refused.value.__cause__.diag.message_detail == (
        f'Key (entry_id)=({MISSING}) is not present in table "ledger_journalentry".')
    with pytest.raises(IntegrityError,
                       match='foreign key "fk_ledger_journalline_customer_account_id"'), \
            transaction.atomic():
        _sql("UPDATE ledger_journalline SET customer_account_id = COALESCE("
             "customer_account_id, %s) WHERE entry_id = %s", [MISSING, posted.pk])
    # and the same three rows, naming only parents that exist (or none), pass
    _sql("UPDATE ledger_journalline SET description = 'checked' WHERE entry_id = %s",
         [posted.pk])
    assert posted.lines.filter(description="checked").count() == 3


def test_deleting_a_posted_entry_gl_account_or_customer_is_refused_at_the_commit(
        finance, customer):
    # given an entry on an account and a customer nothing else names
    account = GLAccountFactory(code="5990")
    entry = services.post_entry(EntryDraft(MARCH, "Fee", [
        LineDraft("5990", debit=1, customer_account_id=customer.pk),
        LineDraft(chart.CASH, credit=1)]), by=finance)
    _sql("DELETE FROM ledger_accountmovement")  # movements name GL accounts by a real key
    for table, pk, name in [("ledger_journalentry", entry.pk, "fk_ledger_journalline_entry_id"),
                            ("ledger_glaccount", account.pk,
                             "fk_ledger_journalline_gl_account_id"),
                            ("customers_account", customer.pk,
                             "fk_ledger_journalline_customer_account_id")]:
        # when the parent is deleted around the ORM, the commit refuses it
        with pytest.raises(IntegrityError, match=f'foreign key "{name}"'), transaction.atomic():
            _sql(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 (a test's table)
            _commit_checks()


def test_deleting_an_entry_source_kind_period_or_poster_is_refused_at_the_commit(finance):
    # given an entry whose source kind, poster and period nothing else names
    kind = ContentType.objects.create(app_label="tests", model="nothing")
    poster = get_user_model().objects.create(username="one-entry")
    entry = services.post_entry(balanced(source=SourceRef(kind.pk, 1)), by=finance)
    _sql("UPDATE ledger_journalentry SET posted_by_id = %s WHERE id = %s", [poster.pk, entry.pk])
    period = AccountingPeriod.objects.get(pk=entry.period_id)
    _sql("DELETE FROM ledger_accountmovement")  # movements name source kinds by a real key
    for table, pk, name in [("django_content_type", kind.pk, "source_type_id"),
                            ("auth_user", poster.pk, "posted_by_id"),
                            ("ledger_accountingperiod", period.pk, "period_id")]:
        with pytest.raises(IntegrityError, match=f'foreign key "fk_ledger_journalentry_{name}"'), \
                transaction.atomic():
            _sql(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 (a test's table)
            _commit_checks()


def test_deleting_entries_and_their_lines_together_passes_in_either_order(posted):
    # as the test suite's flush does: parents first, foreign keys deferred
    _sql("SET CONSTRAINTS ALL DEFERRED")
    _sql("DELETE FROM ledger_journalentry WHERE id = %s", [posted.pk])
    _sql("DELETE FROM ledger_journalline WHERE entry_id = %s", [posted.pk])
    _commit_checks()
    assert not JournalLine.objects.filter(entry_id=posted.pk).exists()


def test_changing_a_named_gl_account_id_is_refused_at_the_commit(posted):
    receivable = GLAccount.objects.get(code=chart.ACCOUNTS_RECEIVABLE)
    _sql("DELETE FROM ledger_accountmovement")  # movements name GL accounts by a real key
    with pytest.raises(IntegrityError, match='foreign key "fk_ledger_journalline_gl_account_id"'), \
            transaction.atomic():
        _sql("UPDATE ledger_glaccount SET id = %s WHERE id = %s", [MISSING, receivable.pk])
        _commit_checks()
